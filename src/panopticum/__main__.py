from panopticum.cli import main

main()

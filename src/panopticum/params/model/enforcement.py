"""Analysis capacity, enforcement (investigation, bribes, sentences) and detention stocks."""

from __future__ import annotations

from panopticum.params.model._declare import FREE, rate, share

ANALYSIS = {
    "capacity_human": rate(
        2000.0,
        0.0,
        1e6,
        "records per day per 100,000 people",
        "about 260,000 security and police staff (Gause, HRNK 2012 [M]) handling a few reports a day each; free",
        "Reports from informants, inminban heads and administrators analysed each day.",
    ),
    "capacity_cameras": rate(
        5.0,
        0.0,
        1e7,
        "records per day per 100,000 people",
        FREE + "; the state may not use all it collects [L-M]",
        "Camera records analysed each day.",
    ),
    "capacity_phones": rate(10.0, 0.0, 1e7, "records per day per 100,000 people", FREE, "Phone records analysed each day."),
    "capacity_radio": rate(
        5.0, 0.0, 1e6, "records per day per 100,000 people", FREE, "Radio-detection records analysed each day."
    ),
    "capacity_inspections": rate(
        50.0, 0.0, 1e6, "records per day per 100,000 people", FREE, "Inspection findings processed each day."
    ),
    "priority": rate(
        20.0,
        1.0,
        1000.0,
        "-",
        FREE + "; triage by keywords and flags",
        "How much more likely an incriminating record is to be picked for analysis than an innocuous one.",
    ),
    "retention_days": rate(
        30.0,
        1.0,
        3650.0,
        "days",
        FREE + "; unclear how much footage is stored [L-M]",
        "Mean time a record waits before it expires unanalysed.",
    ),
    "lead_days": rate(
        14.0,
        1.0,
        365.0,
        "days",
        FREE,
        "Mean time an analysed lead stays open for a targeted inspection before it is dropped.",
    ),
}

ENFORCEMENT = {
    "investigation_accuracy": share(0.5, FREE, "Chance that an investigation clears a person wrongly reported or matched."),
    "corruption": share(
        0.5,
        "Corruption Perceptions Index 2024: 15/100, 170th of 180 [H]; prevalence unpublished",
        "Chance that an official offers to take a bribe instead of punishing.",
    ),
    "wealth_usd": rate(
        5000.0,
        100.0,
        100000.0,
        "USD",
        FREE + "; bribes of USD 200-10,000 are reported [L]",
        "What the best-off household can raise for a bribe (a household's share is its means, 1 - hardship).",
    ),
    "bribe_trade_usd": rate(
        200.0, 10.0, 20000.0, "USD", "bribes from about USD 200 [L]", "Bribe asked to drop an illicit-trading case."
    ),
    "bribe_media_usd": rate(
        1000.0,
        10.0,
        50000.0,
        "USD",
        FREE + "; USD 200-10,000 [L]",
        "Bribe asked to drop a foreign-media case before the 2020 law.",
    ),
    "bribe_criticise_usd": rate(
        5000.0,
        10.0,
        50000.0,
        "USD",
        FREE + "; political cases are rarely bought off [L]",
        "Bribe asked to drop a criticism case.",
    ),
    "bribe_call_usd": rate(
        1000.0, 10.0, 50000.0, "USD", FREE + "; USD 200-10,000 [L]", "Bribe asked to drop a border-call case."
    ),
    "bribe_law_multiplier": rate(
        5.0,
        1.0,
        50.0,
        "-",
        "bribes reported rising after 2020 (north-korea.md [L])",
        "Price of a bribe for a case under the 2020 law (foreign media, criticism) relative to before.",
    ),
    "bribe_recovery_days": rate(
        365.0,
        30.0,
        3650.0,
        "days",
        FREE,
        "Time scale over which a household recovers from the hardship a bribe adds.",
    ),
    "fine_severity_years": rate(
        0.05,
        0.0,
        1.0,
        "years of detention",
        FREE,
        "How heavily a fine weighs in the decision, in years of detention it is worth.",
    ),
    "detain_trade": share(0.02, FREE, "Chance that an unbribed illicit-trading case ends in labour training rather than a fine."),
    "term_trade": rate(
        90.0, 1.0, 3650.0, "days", FREE + "; labour-training terms of months", "Mean labour-training term for illicit trading."
    ),
    "term_media": rate(
        90.0,
        1.0,
        3650.0,
        "days",
        FREE + "; labour-training terms before the 2020 law",
        "Mean labour-training term for foreign media (before the December 2020 law, and other than South Korean content under it).",
    ),
    "law_share_media": share(
        0.05, FREE + "; the law's art. 27 punishes South Korean content; most foreign media seen is Chinese or other [M]",
        "Share of foreign-media cases under the 2020 law that involve South Korean content and get correctional labour; the rest get labour training.",
    ),
    "term_media_law": rate(
        3650.0,
        1825.0,
        5475.0,
        "days",
        "Reactionary Ideology and Culture Rejection Act 2020, art. 27: 5-15 years [H]",
        "Mean correctional-labour term for foreign media under the December 2020 law.",
    ),
    "term_criticise": rate(
        3650.0,
        365.0,
        18250.0,
        "days",
        FREE + "; political prisoners are held for years, many for life (UN COI 2014 [H-M])",
        "Mean political-prison-camp term for criticism.",
    ),
    "camp_share_criticise": share(
        0.2,
        FREE + "; the law's art. 32 gives up to 2 years for South Korean-style speech [H]",
        "Share of criticism cases sent to a political prison camp; the rest get correctional labour.",
    ),
    "term_criticise_correctional": rate(
        365.0,
        30.0,
        5475.0,
        "days",
        "the 2020 law, art. 32: up to 2 years for South Korean-style speech [H]",
        "Mean correctional-labour term for criticism cases not sent to a camp.",
    ),
    "term_call": rate(365.0, 30.0, 5475.0, "days", FREE, "Mean labour-training term for calls across the border."),
    "term_spread": share(
        0.5,
        FREE + "; 5-15 years around 10 under the law's art. 27",
        "Terms are uniform on mean x [1 - spread, 1 + spread].",
    ),
}

DETENTION = {
    "initial_political_camp": share(
        0.0055,
        "80,000-120,000 political prisoners (UN Commission of Inquiry 2014 [H-M]): 0.3-0.45% "
        "of 26.5M people, about 0.5% of adults",
        "Share of adults held in political prison camps on day 0.",
        high=0.05,
    ),
    "initial_correctional": share(
        0.006,
        FREE + "; correctional-labour prisoners are not counted by the UN COI figure",
        "Share of adults serving correctional-labour terms on day 0.",
        high=0.05,
    ),
    "initial_labour_training": share(
        0.003,
        FREE + "; labour-training terms of months are not counted by the UN COI figure",
        "Share of adults serving labour-training terms on day 0.",
        high=0.05,
    ),
}

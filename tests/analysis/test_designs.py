"""Tests for litkit.designs: the rule-based study-design classifier."""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

import pandas as pd
import pytest

from litkit.analysis.design_rules import ANCHOR, RULE_ORDER, RULES, required_literals
from litkit.analysis.designs import (
    classify_design,
    classify_designs,
    clean_text,
    evidence_level,
)
from litkit.vocabulary import DESIGNS, EVIDENCE_LEVELS, validate_design

# Titles and the design each gives. Written for these tests unless marked "real".
TITLES = {
    "systematic-review": [
        "Ketamine Infusions for Chronic Pain: A Systematic Review and Meta-analysis of "
        "Randomized Controlled Trials",  # real
        "Intranasal esketamine for treatment-resistant depression: a network meta-analysis",
        "Magnesium for postoperative analgesia: meta-analysis with trial sequential analysis",
        "Perioperative ketamine and persistent postsurgical pain: an umbrella review",
        "Pooled analysis of three randomised trials of intravenous ketamine in bipolar depression",
        "Opioid-sparing effect of ketamine in children: a systematic review of randomised "
        "controlled trials",
        "Ketamine versus midazolam for procedural sedation: an updated meta\u2010analysis",
        "Esketamine for depression: an overview of systematic reviews",
    ],
    "rct": [
        "Low-dose ketamine versus morphine for acute pain in the emergency department: "
        "a randomized controlled trial",
        "Efficacy of oral ketamine in neuropathic pain: a randomised, double-blind, "
        "placebo-controlled crossover trial",
        "A cluster-randomised trial of opioid stewardship in primary care",
        "Ketamine before electroconvulsive therapy (KETAMINE-ECT): a pragmatic RCT",
        "Long-term follow-up of a randomised controlled trial of ketamine for depression",
    ],
    "controlled-trial": [
        "Ketamine-assisted psychotherapy for alcohol use disorder: a non-randomised "
        "controlled trial",
        "Effect of a pharmacist-led opioid tapering programme: a quasi-experimental study",
        "Nebulised ketamine for postoperative sore throat: a double-blind, placebo-controlled "
        "study",
        "A controlled before-and-after evaluation of a ketamine sedation pathway",
    ],
    "cohort": [
        "Ketamine for refractory chronic pain: a 1-year follow-up study",  # real
        "Prenatal anaesthesia exposure and childhood behaviour in a Danish birth cohort",
        "Long-term opioid use after trauma: a retrospective cohort study",
        "Ketamine dispensing in Sweden: a register-based study",
        "Trajectories of pain after knee replacement: a prospective observational study",
        "Outcomes of ketamine infusion clinics: findings from a national registry",
        "Adherence to opioid prescribing guidelines after surgery: a retrospective cohort study",
    ],
    "case-control": [
        "Ketamine use and lower urinary tract symptoms: a case\u2013control study",
        "Perioperative factors and chronic postsurgical pain: a nested case-control study in "
        "the UK Biobank cohort",
        "Benzodiazepines and hip fracture in older adults: a case-crossover analysis",
    ],
    "cross-sectional": [
        "Prevalence of chronic pain among older adults in rural Ireland",
        "Use of ketamine by Australian paramedics: a national survey",
        "Attitudes of psychiatrists toward esketamine: a cross-sectional study",
        "Sleep and pain intensity in the HUNT cohort: a cross-sectional analysis",
    ],
    "case-series": [
        "Ketamine for super-refractory status epilepticus: a case series",
        "Ketamine-induced cholangiopathy: report of four cases",
        "Oral ketamine in palliative care: a series of 12 patients",
    ],
    "case-report": [
        "Ketamine-induced uropathy in a young adult: a case report",
        "A rare case of ketamine-associated cholestasis",
        "Ketamine cystitis: case report and review of the literature",
    ],
    "guideline": [
        "Consensus Guidelines on the Use of Intravenous Ketamine Infusions for Chronic Pain From "
        "the American Society of Regional Anesthesia and Pain Medicine, the American Academy of "
        "Pain Medicine, and the American Society of Anesthesiologists",  # real
        "Acute pain in opioid-tolerant patients: recommendations from an expert panel",
        "Position statement on the use of ketamine for depression",
        "Guidelines for the use of ketamine in palliative care",
        "Procedural sedation in the emergency department: a clinical practice guideline",
        "Expert consensus on ketamine-assisted psychotherapy: a modified Delphi study",
    ],
    "narrative-review": [
        "Ketamine in depression: a review",
        "Ketamine analgesia: state of the art",
        "Pharmacology of ketamine: an overview",
        "NMDA receptor antagonists in pain medicine: an update",
        "Ketamine and esketamine: a narrative review",
    ],
    "protocol": [
        "Ketamine for depression in older adults (KARMA): study protocol for a randomised "
        "controlled trial",
        "Ketamine for postoperative delirium: protocol for a systematic review and meta-analysis",
        "Esketamine for suicidal ideation in adolescents: a protocol",
        "Ketamine for cancer pain in adults (Protocol)",
    ],
    "commentary": [
        "Comment on: 'Ketamine for chronic pain: a meta-analysis'",
        "Ketamine for depression: hope or hype? (Editorial)",
        "Letter to the editor regarding 'Ketamine versus etomidate for rapid sequence intubation'",
        "In reply: ketamine and intracranial pressure",
        "Correction to: Low-dose ketamine infusion for acute pain: a randomized trial",
        "Erratum: Esketamine nasal spray for treatment-resistant depression",
        "Should ketamine be first-line for acute agitation? A viewpoint",
    ],
    "unclassified": [  # no cue, so no guess
        "Ketamine for pain management",  # real
        "Ketamine for Acute Pain Management and Sedation",  # real
        "Ketamine Use for Cancer and Chronic Pain Management",  # real
        "Ketamine for chronic pain: risks and benefits",  # real
        "The case for ketamine in treatment-resistant depression",
        "Results of the KETAPAIN trial",
        "Consensus clustering identifies chronic pain phenotypes",
        "Patient perspectives on ketamine-assisted therapy: a qualitative study",
        # a chart review is a record review, not a literature review; its design is unstated
        "Ketamine use in the emergency department: a retrospective chart review",
    ],
}

# Titles read with their abstracts: (title, abstract, expected design).
WITH_ABSTRACTS = [
    (
        "Delirium after intranasal esketamine",
        "We present the case of a 67-year-old woman who developed delirium.",
        "case-report",
    ),
    (
        "Ketamine for pain management",
        "This clinical update reviews the pharmacology of ketamine.",
        "narrative-review",
    ),  # real
    (
        "Ketamine in anaesthesia",
        "Continuing education in anaesthesia, critical care and pain.",
        "narrative-review",
    ),
    (
        "Oral ketamine for chronic pain in adolescents",
        "Participants will be randomised to oral ketamine or placebo for six weeks.",
        "protocol",
    ),
    (
        "Ketamine in the ICU",
        "Previous meta-analyses suggested benefit. Randomised controlled trials are needed.",
        "unclassified",
    ),
]

LABELLED = [
    *((title, None, design) for design, titles in TITLES.items() for title in titles),
    *WITH_ABSTRACTS,
]


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    LABELLED,
    ids=[f"{i:02d}-{row[2]}" for i, row in enumerate(LABELLED)],
)
def test_labelled_titles(title, abstract, expected):
    design, _rule = classify_design(title, abstract)
    assert design == expected


def test_labelled_table_is_large_and_covers_every_design_twice():
    counts = Counter(expected for _, _, expected in LABELLED)
    assert len(LABELLED) >= 45
    assert {design for design in DESIGNS if counts[design] < 2} == set()


# --- the rule that fired, and where -------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "abstract", "expected"),
    [
        (
            "Ketamine infusions for chronic pain: a meta-analysis",
            None,
            ("systematic-review", "title:meta-analysis"),
        ),
        (
            "Ketamine for refractory chronic pain: a 1-year follow-up study",
            None,
            ("cohort", "title:follow-up"),
        ),
        (
            "Ketamine for pain management",
            "This clinical update reviews the evidence.",
            ("narrative-review", "abstract:narrative-review"),
        ),
        (
            "Ketamine and depression",
            "Adults were randomly assigned to ketamine or midazolam.",
            ("rct", "abstract:randomly-assigned"),
        ),
        (
            "Ketamine and suicidality",
            "<jats:p>We conducted a retrospective cohort study of 4,000 adults.</jats:p>",
            ("cohort", "abstract:this-cohort"),
        ),
        (
            "Ketamine in depression",
            "Methods: We systematically searched MEDLINE and Embase.",
            ("systematic-review", "abstract:searched-databases"),
        ),
    ],
)
def test_rule_names_say_where_they_fired(title, abstract, expected):
    assert classify_design(title, abstract) == expected


def test_no_cue_gives_unclassified_no_cue():
    assert classify_design("Ketamine for chronic pain: risks and benefits") == (
        "unclassified",
        "no-cue",
    )


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, "", "   "])
def test_missing_title_and_abstract_are_unclassified(missing):
    assert classify_design(missing, missing) == ("unclassified", "no-cue")


def test_title_cue_wins_over_abstract_cue():
    title = "Ketamine and postoperative delirium: a prospective cohort study"
    abstract = "We conducted a systematic review. Patients were randomly assigned."
    assert classify_design(title, abstract) == ("cohort", "title:cohort")
    assert classify_design(None, abstract)[0] == "systematic-review"


def test_abstract_is_used_only_when_title_has_no_cue():
    abstract = "In this randomised, double-blind trial, 80 adults received ketamine."
    assert classify_design("Ketamine for pain", abstract) == (
        "rct",
        "abstract:this-randomised-trial",
    )


def test_abstract_calls_for_other_studies_are_not_cues():
    abstract = (
        "We conducted a retrospective cohort study of 900 adults. "
        "A randomised controlled trial is needed to confirm these findings."
    )
    assert classify_design("Ketamine and falls", abstract) == ("cohort", "abstract:this-cohort")


def test_background_of_a_structured_abstract_is_ignored():
    abstract = (
        "Background: A meta-analysis of small trials suggested benefit. "
        "Methods: Adults were randomly assigned to ketamine or placebo."
    )
    assert classify_design("Ketamine for agitation", abstract) == (
        "rct",
        "abstract:randomly-assigned",
    )


def test_jats_section_titles_become_labels():
    abstract = (
        "<jats:sec><jats:title>Background</jats:title><jats:p>A systematic review "
        "found little evidence.</jats:p></jats:sec><jats:sec><jats:title>Methods"
        "</jats:title><jats:p>We conducted a prospective cohort study.</jats:p>"
        "</jats:sec>"
    )
    assert classify_design("Ketamine in older adults", abstract) == (
        "cohort",
        "abstract:this-cohort",
    )


def test_a_background_with_nothing_after_it_is_kept():
    assert classify_design("Ketamine", "Background: We conducted a meta-analysis.")[0] == (
        "systematic-review"
    )


def test_case_reports_are_a_series_unless_reviewed():
    assert classify_design("Ketamine-induced cystitis: three case reports")[0] == "case-series"
    assert classify_design("A review of published case reports of ketamine cystitis")[0] == (
        "narrative-review"
    )


# --- tricky cases named in the design brief ----------------------------------------------


@pytest.mark.parametrize(
    "title",
    [
        "Ketamine for depression (KETODEP): protocol for a randomised controlled trial",
        "Study protocol for a pragmatic randomized, double-blind, placebo-controlled trial of "
        "esketamine",
        "Ketamine for postoperative pain: a protocol for a systematic review and network "
        "meta-analysis",
        "Opioid use after ketamine infusion: protocol of a prospective cohort study",
        "Ketamine and cognitive decline: a case-control study protocol",
    ],
)
def test_a_protocol_is_never_the_design_it_plans(title):
    assert classify_design(title)[0] == "protocol"


def test_a_protocol_abstract_is_not_the_design_it_plans():
    abstract = (
        "This protocol describes a randomised controlled trial. Participants will be "
        "randomly assigned to ketamine or placebo."
    )
    assert classify_design("Ketamine for acute agitation", abstract)[0] == "protocol"


def test_commentary_on_a_meta_analysis_is_commentary():
    assert classify_design("Comment on: a meta-analysis of ketamine for depression") == (
        "commentary",
        "title:comment",
    )


def test_trials_inside_a_systematic_review_title_give_systematic_review():
    title = "Ketamine for depression: a systematic review of randomized controlled trials"
    assert classify_design(title) == ("systematic-review", "title:systematic-review")


def test_trial_alone_is_not_an_rct():
    assert classify_design("The ketamine trial that changed emergency medicine")[0] == (
        "unclassified"
    )


def test_non_randomised_is_not_randomised():
    assert classify_design("A nonrandomized controlled trial of ketamine")[0] == (
        "controlled-trial"
    )
    assert classify_design("A quasi-randomised trial of ketamine")[0] == "controlled-trial"


def test_consensus_needs_guideline_context():
    assert classify_design("Consensus clustering of pain trajectories")[0] == "unclassified"
    assert classify_design("International consensus statement on ketamine")[0] == "guideline"


def test_spelling_variants_give_the_same_design():
    assert {
        classify_design(t)[0]
        for t in (
            "A randomised controlled trial",
            "A randomized controlled trial",
            "A Randomized Controlled Trial",
            "A randomised-controlled trial",
        )
    } == {"rct"}
    assert {
        classify_design(t)[0]
        for t in (
            "A meta-analysis",
            "A meta analysis",
            "A metaanalysis",
            "Meta-analyses of ...",
        )
    } == {"systematic-review"}
    assert {
        classify_design(t)[0]
        for t in (
            "A case-control study",
            "A case control study",
            "A case\u2013control study",
            "Case-controls in ...",
        )
    } == {"case-control"}


# --- vocabulary and evidence levels -------------------------------------------------------


def test_designs_are_in_order_of_evidence_strength():
    assert DESIGNS[:3] == ("systematic-review", "rct", "controlled-trial")
    assert DESIGNS[-1] == "unclassified"
    assert len(DESIGNS) == len(set(DESIGNS)) == 13


def test_validate_design_returns_a_known_value():
    assert validate_design("case-report") == "case-report"


def test_validate_design_names_the_value_and_what_was_allowed():
    with pytest.raises(ValueError) as excinfo:
        validate_design("meta-analysis")
    message = str(excinfo.value)
    assert message.startswith("unknown design 'meta-analysis'; expected one of: ")
    assert message.endswith(", ".join(DESIGNS))


def test_every_design_has_an_evidence_level():
    assert set(EVIDENCE_LEVELS) == set(DESIGNS)
    assert all(evidence_level(design) for design in DESIGNS)


@pytest.mark.parametrize(
    ("level", "designs"),
    [
        ("1", ["systematic-review"]),
        ("2", ["rct"]),
        ("3", ["cohort"]),
        ("4", ["case-control"]),
        ("5", ["case-report"]),
        ("GL", ["guideline"]),
        ("n/a", ["protocol", "unclassified"]),
    ],
)
def test_evidence_levels(level, designs):
    assert {evidence_level(design) for design in designs} == {level}


def test_evidence_level_rejects_unknown_design():
    with pytest.raises(ValueError, match="unknown design 'RCT'"):
        evidence_level("RCT")


def test_rules_have_unique_names_and_cover_every_design_but_unclassified():
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    assert set(RULE_ORDER) == set(DESIGNS) - {"unclassified"}


# Each design outranks the next in the documented rule order (see litkit.analysis.designs):
# a title with the cues of both must be given the earlier design.
OUTRANKS = {
    "commentary": ("protocol", "Comment on: a study protocol for a randomised trial"),
    "protocol": ("systematic-review", "Protocol for a systematic review of ketamine"),
    "systematic-review": ("guideline", "A systematic review of practice guidelines"),
    "guideline": ("rct", "Expert recommendations after a randomised controlled trial"),
    "rct": ("controlled-trial", "A randomised, placebo-controlled trial of ketamine"),
    "controlled-trial": ("cohort", "A quasi-experimental study in a birth cohort"),
    "cohort": ("case-control", "A 10-year follow-up study of case-control pairs"),
    "case-control": ("cross-sectional", "A case-control study and a cross-sectional survey"),
    "cross-sectional": ("case-series", "A national survey of published case series"),
    "case-series": ("case-report", "Ketamine cystitis: a case series and a case report"),
    "case-report": ("narrative-review", "Ketamine cystitis: case report and literature review"),
}


def designs_cued_by(title: str) -> set[str]:
    """Every design whose title rule fires on ``title``, whichever would win."""
    text = clean_text(title)
    return {rule.design for rule in RULES if rule.reads("title") and rule.fires(text)}


@pytest.mark.parametrize(
    ("earlier", "later", "title"),
    [(earlier, later, title) for earlier, (later, title) in OUTRANKS.items()],
)
def test_the_earlier_design_in_the_rule_order_wins(earlier, later, title):
    assert {earlier, later} <= designs_cued_by(title)
    assert classify_design(title)[0] == earlier


def test_the_rule_order_is_the_order_the_precedence_cases_pin():
    pinned = [(earlier, later) for earlier, (later, _) in OUTRANKS.items()]
    assert pinned == list(pairwise(RULE_ORDER))


# --- classify_designs ----------------------------------------------------------------------


@pytest.fixture
def works() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doi": ["10.1/a", "10.1/b", "10.1/c", None],
            "title": [
                "Ketamine for chronic pain: a systematic review",
                "Ketamine for pain",
                None,
                "A case report of ketamine cystitis",
            ],
            "abstract": [None, "Patients were randomly assigned to ketamine.", float("nan"), pd.NA],
            "year": [2020, 2019, 2018, 2017],
        },
        index=[10, 11, 12, 13],
    )


def test_classify_designs_returns_one_labelled_row_per_work(works):
    out = classify_designs(works)
    assert list(out.columns) == ["doi", "classifier_design", "classifier_rule"]
    assert list(out.index) == [10, 11, 12, 13]
    assert out["classifier_design"].tolist() == [
        "systematic-review",
        "rct",
        "unclassified",
        "case-report",
    ]
    assert out["classifier_rule"].tolist() == [
        "title:systematic-review",
        "abstract:randomly-assigned",
        "no-cue",
        "title:case-report",
    ]
    assert out["doi"].tolist()[:3] == ["10.1/a", "10.1/b", "10.1/c"]
    assert pd.isna(out["doi"].iloc[3])


def test_classify_designs_works_without_an_abstract_column(works):
    out = classify_designs(works.drop(columns="abstract"))
    assert out["classifier_design"].tolist() == [
        "systematic-review",
        "unclassified",
        "unclassified",
        "case-report",
    ]


def test_classify_designs_does_not_mutate_its_input(works):
    before = works.copy(deep=True)
    out = classify_designs(works)
    out.loc[10, "doi"] = "changed"
    pd.testing.assert_frame_equal(works, before)


def test_classify_designs_handles_an_empty_frame():
    out = classify_designs(pd.DataFrame({"doi": [], "title": []}))
    assert list(out.columns) == ["doi", "classifier_design", "classifier_rule"]
    assert len(out) == 0


def test_classify_designs_names_missing_columns():
    with pytest.raises(ValueError, match="missing column.*title"):
        classify_designs(pd.DataFrame({"doi": ["10.1/a"]}))


@pytest.fixture(scope="module")
def texts(crossref_records) -> list[str]:
    """The labelled titles and abstracts and the recorded Crossref ones, as the rules read them."""
    texts = [clean_text(t) for t, _, _ in LABELLED] + [clean_text(a) for _, a, _ in LABELLED]
    for record in crossref_records:
        texts += [clean_text((record.get("title") or [""])[0]), clean_text(record.get("abstract"))]
    return texts


def _holds(text: str, cue: str) -> bool:
    """Whether ``text`` holds a cue as the prefilter reads it (``^`` opens the text)."""
    lowered = text.lower()
    if cue.startswith(ANCHOR):
        return lowered.startswith(cue.removeprefix(ANCHOR))
    return cue in lowered


def test_every_rule_match_contains_one_cue_of_each_of_the_rules_sets(texts):
    """The cue prefilter never hides a match: checked on real titles and abstracts."""
    for rule in RULES:
        assert rule.cues, f"{rule.name} has no cue to prefilter on"
        for text in texts:
            if rule.pattern.search(text):
                for clause in rule.cues:
                    assert any(_holds(text, cue) for cue in clause), (rule.name, clause, text[:80])


def test_the_cues_of_a_rule_are_each_required_by_its_pattern():
    """Every set of cues is necessary: an alternation's sets combine one set of each branch."""
    pattern = re.compile(r"\bwe (?:describe|report) (?:two|\d+) cases\b|case series", re.I)
    cues = required_literals(pattern)
    assert frozenset({"we ", "case series"}) in cues
    assert frozenset({"describe", "report", "case series"}) in cues

    def passes(text: str) -> bool:
        return all(any(cue in text.lower() for cue in clause) for clause in cues)

    for text in ("We describe 3 cases", "A case series of ten", "we report two cases"):
        assert pattern.search(text) and passes(text)
    assert not passes("We found 3 cases")  # " cases" and "we ", but neither verb


def test_a_rules_core_is_found_wherever_its_whole_pattern_is(texts):
    """A self-reference rule first looks for its noun alone: that must never hide a match."""
    cored = [rule for rule in RULES if rule.core is not None]
    assert {rule.name for rule in cored} >= {"this-meta-analysis", "this-case-report"}
    for rule in cored:
        for text in texts:
            if rule.pattern.search(text):
                assert rule.core.search(text), (rule.name, text[:80])


def test_the_cue_prefilter_gives_the_same_answer_as_the_regex_alone(texts):
    for rule in RULES:
        for text in texts:
            whole = bool(rule.pattern.search(text)) and not (
                rule.unless is not None and rule.unless.search(text)
            )
            assert rule.fires(text) == whole, (rule.name, text[:80])


def test_many_works_classified_in_parallel_give_the_same_table(monkeypatch, crossref_records):
    import litkit.analysis.designs as designs

    works = pd.DataFrame(
        {
            "doi": [r["DOI"] for r in crossref_records],
            "title": [(r.get("title") or [None])[0] for r in crossref_records],
            "abstract": [r.get("abstract") for r in crossref_records],
        }
    )
    one = classify_designs(works)
    monkeypatch.setattr(designs, "PARALLEL_FROM", 10)
    assert classify_designs(works).equals(one)

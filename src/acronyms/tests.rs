//! Unit tests of the acronym module on hand-written paragraphs (Dutch and English, several
//! domains). The seed pages and the Ab3P corpus are tested in `tests/`.

use super::*;

fn defs(text: &str) -> Vec<(String, String)> {
    find_definitions(text).into_iter().map(|d| (d.short, d.long)).collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(s, l)| (s.to_string(), l.to_string())).collect()
}

fn shorts(uses: &[AcronymUse]) -> Vec<&str> {
    uses.iter().map(|u| u.short.as_str()).collect()
}

// ---------------------------------------------------------------- definitions

#[test]
fn ranges_point_at_the_text() {
    let text = "De ministers van Binnenlandse Zaken en\nKoninkrijksrelaties (BZK) en Defensie.";
    let d = &find_definitions(text)[0];
    assert_eq!(&text[d.short_range.clone()], "BZK");
    assert_eq!(&text[d.long_range.clone()], "Binnenlandse Zaken en\nKoninkrijksrelaties");
    assert_eq!(d.long, "Binnenlandse Zaken en Koninkrijksrelaties");
    assert!(!d.reversed);
}

#[test]
fn dutch_healthcare() {
    let text = "Het Rijksinstituut voor Volksgezondheid en Milieu (RIVM) adviseert de \
        Gemeentelijke Gezondheidsdienst (GGD) over infectieziekten. De langdurige zorg valt \
        onder de Wet langdurige zorg (Wlz). Huisartsen melden aan het Landelijk Coördinatiecentrum \
        Infectieziektebestrijding (LCI) en de Inspectie Gezondheidszorg en Jeugd (IGJ).";
    assert_eq!(
        defs(text),
        pairs(&[
            ("RIVM", "Rijksinstituut voor Volksgezondheid en Milieu"),
            ("GGD", "Gemeentelijke Gezondheidsdienst"),
            ("Wlz", "Wet langdurige zorg"),
            ("LCI", "Landelijk Coördinatiecentrum Infectieziektebestrijding"),
            ("IGJ", "Inspectie Gezondheidszorg en Jeugd"),
        ])
    );
}

#[test]
fn dutch_courts() {
    let text = "De Afdeling bestuursrechtspraak van de Raad van State (ABRvS) oordeelde anders \
        dan de Centrale Raad van Beroep (CRvB). Het Openbaar Ministerie (OM) ging in hoger beroep \
        bij het gerechtshof; zie ook artikel 6 EVRM (Europees Verdrag voor de Rechten van de Mens).";
    assert_eq!(
        defs(text),
        pairs(&[
            ("ABRvS", "Afdeling bestuursrechtspraak van de Raad van State"),
            ("CRvB", "Centrale Raad van Beroep"),
            ("OM", "Openbaar Ministerie"),
            ("EVRM", "Europees Verdrag voor de Rechten van de Mens"),
        ])
    );
    assert!(find_definitions(text)[3].reversed);
}

#[test]
fn dutch_municipal_report() {
    let text = "In 2023 heeft de gemeente samen met het Regionaal Informatie- en Expertise \
        Centrum (RIEC) gewerkt aan de aanpak van ondermijning. De Omgevingsdienst (OD) en de \
        Veiligheidsregio (VR) zijn betrokken. Het budget voor het sociaal domein (zie bijlage 3) \
        steeg (met 4%) en het aantal meldingen (ruim 1.200) ook.";
    assert_eq!(
        defs(text),
        pairs(&[
            ("RIEC", "Regionaal Informatie- en Expertise Centrum"),
            ("OD", "Omgevingsdienst"),
            ("VR", "Veiligheidsregio"),
        ])
    );
}

#[test]
fn english_eu_policy() {
    let text = "The Common Security and Defence Policy (CSDP) is part of the Common Foreign and \
        Security Policy (CFSP). Member states cooperate through Permanent Structured Cooperation \
        (PESCO), funded in part by the European Defence Fund (EDF). The EEAS (European External \
        Action Service) supports the High Representative.";
    assert_eq!(
        defs(text),
        pairs(&[
            ("CSDP", "Common Security and Defence Policy"),
            ("CFSP", "Common Foreign and Security Policy"),
            ("PESCO", "Permanent Structured Cooperation"),
            ("EDF", "European Defence Fund"),
            ("EEAS", "European External Action Service"),
        ])
    );
}

#[test]
fn english_healthcare() {
    let text = "Patients with chronic obstructive pulmonary disease (COPD) and a body mass \
        index (BMI) above 30 were treated with proton pump inhibitors (PPIs) and \
        non-steroidal anti-inflammatory drugs (NSAIDs), see Table 2 (a) and (b).";
    assert_eq!(
        defs(text),
        pairs(&[
            ("COPD", "chronic obstructive pulmonary disease"),
            ("BMI", "body mass index"),
            ("PPIs", "proton pump inhibitors"),
            ("NSAIDs", "non-steroidal anti-inflammatory drugs"),
        ])
    );
}

#[test]
fn seed_shapes() {
    // The hard shapes from the seed pages, one by one.
    let cases = [
        (
            "de vernieuwing van de Wet op de inlichtingen- en veiligheidsdiensten 2002 (Wiv 2002), waar",
            "Wiv",
            "Wet op de inlichtingen- en veiligheidsdiensten",
        ),
        (
            "het Joint Intelligence, Surveillance, Target Acquisition & Reconnaissance Commando (JISTARC), het",
            "JISTARC",
            "Joint Intelligence, Surveillance, Target Acquisition & Reconnaissance Commando",
        ),
        (
            "het Netherlands Special Operations Command (SOCOM) en",
            "SOCOM",
            "Special Operations Command",
        ),
        (
            "het Nederlandse Informatie en Veiligheids (I&V) systeem te vergroten",
            "I&V",
            "Informatie en Veiligheids",
        ),
        (
            "een gezamenlijke Unit Veiligheidsonderzoeken (UVO). Ook",
            "UVO",
            "Unit Veiligheidsonderzoeken",
        ),
        (
            "IGO (en werken) en multidomein optreden (MDO) zijn",
            "MDO",
            "multidomein optreden",
        ),
        (
            "de J2 van de Directie Operaties (DOPS).",
            "DOPS",
            "Directie Operaties",
        ),
        (
            "De MIVD (Militaire Inlichtingen- en Veiligheidsdienst) werkt samen.",
            "MIVD",
            "Militaire Inlichtingen- en Veiligheidsdienst",
        ),
    ];
    for (text, short, long) in cases {
        assert_eq!(defs(text), pairs(&[(short, long)]), "in {text:?}");
    }
}

#[test]
fn non_definitions() {
    for text in [
        "De AIVD kan het onderkennen en (adviseren over het) tegengaan van deze dreigingen niet.",
        "Samenwerking (buitenlandse) partnerdiensten",
        "IGO (en werken) en nog iets",
        "Dit gebeurde in het voorjaar (2022) en in de zomer (juni 2023).",
        "Zie hoofdstuk 3 (pagina 12) voor de cijfers (in miljoenen euro).",
        "De minister (VVD) en de staatssecretaris (CDA) waren aanwezig.",
        "The results (n = 12) were significant (p < 0.05) in both groups (i.e. all).",
        "The Supplementary Material (see online) lists all samples (etc.).",
        "Amsterdam (Noord-Holland) en Utrecht (provincie Utrecht) groeiden.",
    ] {
        assert_eq!(defs(text), vec![], "in {text:?}");
    }
}

#[test]
fn conflicting_definitions_are_all_returned() {
    let text = "De Algemene Rekenkamer (AR) rapporteerde. Later sprak de Adviesraad (AR) zich uit.";
    assert_eq!(defs(text), pairs(&[("AR", "Algemene Rekenkamer"), ("AR", "Adviesraad")]));
}

#[test]
fn definition_inside_a_parenthesis_and_brackets() {
    assert_eq!(
        defs("The risk was higher (95% confidence interval [CI]: 1.2, 3.4)."),
        pairs(&[("CI", "confidence interval")])
    );
    assert_eq!(
        defs("samen met de politie (onder leiding van het Openbaar Ministerie (OM))"),
        pairs(&[("OM", "Openbaar Ministerie")])
    );
}

#[test]
fn multibyte_text_does_not_panic() {
    let text =
        "Ïn de Oekraïne-crisis (√Ø) sprak de Coördinator Ñationale Veiligheid (CÑV) — “ja” (é).";
    let found = find_definitions(text);
    for d in &found {
        assert!(text.is_char_boundary(d.long_range.start));
    }
    let _ = find_uses(text);
    let _ = find_named_terms(text);
    let _ = find_long_form_mentions(text, "Ñationale Veiligheid");
}

// ---------------------------------------------------------------- uses

#[test]
fn uses_in_compounds_and_shapes() {
    let text = "De EU-ministers, het I&V-systeem en de NAVO-landen; het MQ-9 Reaper squadron, \
        COVID-19, de NGO's en NGOs, de J2 en F-35, o.a. de AIVD.";
    let uses = find_uses(text);
    assert_eq!(shorts(&uses), ["EU", "I&V", "NAVO", "MQ-9", "COVID-19", "NGO", "NGO", "AIVD"]);
    for u in &uses {
        assert_eq!(&text[u.range.clone()], u.short);
    }
}

#[test]
fn known_uses_add_mixed_case_forms() {
    let text = "Op grond van de Wiv 2017 werkt de KMar samen met JenV en de J2.";
    assert_eq!(shorts(&find_uses(text)), Vec::<&str>::new());
    let known = |s: &str| matches!(s, "Wiv" | "KMar" | "JenV" | "J2");
    assert_eq!(shorts(&find_known_uses(text, &known)), ["Wiv", "KMar", "JenV", "J2"]);
}

#[test]
fn shouting_lines_are_not_acronyms() {
    let text = "JAARVERSLAG VAN DE AIVD 2014\nDe AIVD werkt samen met de NCTV.\nNAVO EU";
    assert_eq!(shorts(&find_uses(text)), ["AIVD", "NCTV", "NAVO", "EU"]);
    let known = |s: &str| s == "AIVD";
    assert_eq!(shorts(&find_known_uses(text, &known)), ["AIVD", "AIVD", "NCTV", "NAVO", "EU"]);
}

#[test]
fn plausible_acronyms() {
    for yes in ["AIVD", "NAVO", "I&V", "KMar", "COVID-19", "NCTV", "JISTARC"] {
        assert!(is_plausible_acronym(yes), "{yes}");
    }
    for no in [
        "II",
        "XIV",
        "IV",
        "KB",
        "MHz",
        "MW",
        "km",
        "F35",
        "J2",
        "MQ-9",
        "F-35",
        "G7",
        "OK",
        "A",
        "Wiv",
        "JAARVERSLAG",
        "AIVD.",
    ] {
        assert!(!is_plausible_acronym(no), "{no}");
    }
}

// ---------------------------------------------------------------- long-form mentions

#[test]
fn long_form_mentions() {
    let text = "De Joint Sigint Cyber Unit en de Joint\nSIGINT  Cyber Unit, maar niet de \
        Joint Sigint Cyber Units of xJoint Sigint Cyber Unit.";
    let found = find_long_form_mentions(text, "Joint SIGINT Cyber Unit");
    let found: Vec<&str> = found.iter().map(|r| &text[r.clone()]).collect();
    assert_eq!(found, ["Joint Sigint Cyber Unit", "Joint\nSIGINT  Cyber Unit"]);
    let text = "de Militaire Inlichtingen- en Veiligheidsdienst en de militaire inlichtingen- en veiligheidsdienst";
    assert_eq!(
        find_long_form_mentions(text, "Militaire Inlichtingen- en Veiligheidsdienst").len(),
        2
    );
    assert!(find_long_form_mentions(text, "  ").is_empty());
}

// ---------------------------------------------------------------- named terms

#[test]
fn named_terms() {
    let text = "De AIVD en MIVD werken samen in het Team Caribisch Gebied, de Unit \
        Contraproliferatie en de Joint Sigint Cyber Unit. Dat staat in de Wiv 2017. Het \
        symposium was bij The Hague Campus van de Universiteit Leiden. In juni 2022 sprak de \
        Raad van State. De EU-ministers stelden het Europese Strategisch Kompas vast. \
        Daarnaast werkt Nederland samen met Duitsland.";
    let keys: Vec<String> = find_named_terms(text).into_iter().map(|t| t.key).collect();
    assert_eq!(
        keys,
        [
            "team caribisch gebied",
            "unit contraproliferatie",
            "joint sigint cyber unit",
            "wiv 2017",
            "the hague campus van de universiteit leiden",
            "the hague campus",
            "universiteit leiden",
            "raad van state",
            "strategisch kompas",
        ]
    );
}

#[test]
fn named_term_ranges_and_keys() {
    let text = "bij de Joint\nSigint   Cyber Unit.";
    let t = &find_named_terms(text)[0];
    assert_eq!(&text[t.range.clone()], "Joint\nSigint   Cyber Unit");
    assert_eq!(t.key, "joint sigint cyber unit");
}

// ---------------------------------------------------------------- glossary

#[test]
fn builtin_glossary() {
    let g = Glossary::builtin();
    assert!(g.len() >= 150, "{} entries", g.len());
    let aivd = g.get("AIVD").expect("AIVD");
    assert_eq!(aivd.expansion, "Algemene Inlichtingen- en Veiligheidsdienst");
    assert_eq!(aivd.language, "nl");
    let range = aivd.source_range.clone().expect("range");
    assert_eq!(&Glossary::builtin_source()[range], "[AIVD]");
    // Acronyms the seed pages define are left to the text.
    for seed_defined in
        ["JSCU", "BZK", "Wiv", "TCG", "DCC", "JISTARC", "SOCOM", "DOPS", "UVO", "MDO", "I&V"]
    {
        assert!(!g.contains(seed_defined), "{seed_defined}");
    }
    for e in g.entries() {
        assert!(!e.expansion.is_empty());
        assert!(
            matches!(e.language.as_str(), "nl" | "en" | "fr" | "de" | "ru" | "ar" | "ku"),
            "{}",
            e.short
        );
    }
}

#[test]
fn user_glossary_overrides_builtin() {
    let user = "# my glossary\n[AIVD]\nexpansion = \"Algemene Inlichtingen- en Veiligheidsdienst (NL)\"\n\n[\"R&D\"]\nexpansion = \"research and development\"\nlanguage = \"en\"\n";
    let parsed = Glossary::parse(user).expect("valid");
    let rd = parsed.get("R&D").expect("R&D");
    assert_eq!(&user[rd.source_range.clone().expect("range")], "[\"R&D\"]");
    let mut g = Glossary::builtin().clone();
    let before = g.len();
    g.overlay(parsed);
    assert_eq!(g.len(), before + 1);
    assert_eq!(
        g.get("AIVD").map(|e| e.expansion.as_str()),
        Some("Algemene Inlichtingen- en Veiligheidsdienst (NL)")
    );
    assert_eq!(g.get("AIVD").and_then(|e| e.source_range.clone()), Some(14..20));
}

#[test]
fn glossary_errors_are_clear() {
    let err = Glossary::parse("[AIVD]\nexpansion = 3\n").unwrap_err();
    assert!(err.contains("line 2"), "{err}");
    let err = Glossary::parse("[AIVD]\nexpanse = \"x\"\n").unwrap_err();
    assert!(err.contains("unknown field `expanse`"), "{err}");
    let err = Glossary::parse("[AIVD\n").unwrap_err();
    assert!(err.contains("line 1"), "{err}");
    let err = Glossary::parse("\n\n[AIVD]\nexpansion = \"  \"\n").unwrap_err();
    assert!(err.contains("[AIVD] at line 3") && err.contains("empty"), "{err}");
    let err =
        Glossary::parse("[AIVD]\nexpansion = \"x\"\nlanguage = \"Dutch language\"\n").unwrap_err();
    assert!(err.contains("language"), "{err}");
    assert!(Glossary::parse("").expect("empty is fine").is_empty());
}

#[test]
fn random_text_never_panics() {
    // A small deterministic generator over characters that stress the scanners.
    let alphabet: Vec<char> =
        "aAbBcCdDeEiIvVxX09 &-/().[];:,'’\"\n\n ïÏéÉ√Ø—“”  ABC (DEF) van de 2017".chars().collect();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..400 {
        let mut s = String::new();
        for _ in 0..200 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push(alphabet[(state % alphabet.len() as u64) as usize]);
        }
        for d in find_definitions(&s) {
            assert!(s.get(d.short_range.clone()).is_some());
            assert!(s.get(d.long_range.clone()).is_some());
        }
        for u in find_known_uses(&s, &|_| true) {
            assert_eq!(s.get(u.range.clone()), Some(u.short.as_str()));
        }
        for t in find_named_terms(&s) {
            assert!(s.get(t.range.clone()).is_some());
        }
        for r in find_long_form_mentions(&s, "ABC van") {
            assert!(s.get(r).is_some());
        }
    }
}

#[test]
fn a_stray_function_word_before_the_parenthesis_is_left_out() {
    // A seam error leaves `van` from the other column before `(MDO)`.
    assert_eq!(
        defs("IGO (en werken) en multidomein optreden van (MDO) zijn nieuwe principes."),
        pairs(&[("MDO", "multidomein optreden")])
    );
    assert_eq!(defs("the use of the (ABC) here"), pairs(&[]));
}

#[test]
fn definition_hints_rank_texts_that_define_first() {
    let defining = [
        "De Militaire Inlichtingen- en Veiligheidsdienst (MIVD) werkt.",
        "De MIVD (Militaire Inlichtingen- en Veiligheidsdienst) werkt.",
        "de Joint Sigint Cyber Unit [JSCU]",
    ];
    for (text, short) in defining.iter().zip(["MIVD", "MIVD", "JSCU"]) {
        assert_eq!(definition_hint(text, short), DefinitionHint::Defined, "{text}");
    }
    // Split by the other column: a bracket, but no definition in the raw text.
    let split = "Team Caribisch Gebied     de minister besloot\nen verder (TCG) werkt";
    assert!(definition_hint(split, "TCG") >= DefinitionHint::Bracketed);
    assert_eq!(
        definition_hint("De MIVD werkt met de AIVD (en anderen).", "AIVD"),
        DefinitionHint::Bracketed
    );
    assert_eq!(definition_hint("De MIVD werkt met de AIVD.", "MIVD"), DefinitionHint::Absent);
    assert_eq!(definition_hint("(XMIVD) en (MIVDX)", "MIVD"), DefinitionHint::Absent);
    assert_eq!(definition_hint("De MIVD (", ""), DefinitionHint::Absent);
}

#[test]
fn term_keys_are_lower_case_and_single_spaced() {
    for name in ["Joint  Sigint\nCyber Unit", "Ünïté ΣΊΣΥΦΟΣ Ĳssel", "  A\tB  ", "", "Ⅻ 𝔘NIT"]
    {
        let expected = name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ");
        assert_eq!(super::terms::term_key(name), expected, "{name:?}");
    }
}

/// The long-form matcher before it went byte by byte: a character at a time, each one decoded.
fn long_form_mentions_char_by_char(text: &str, long: &str) -> Vec<std::ops::Range<usize>> {
    use super::mentions::match_words;
    use super::text::{char_at, char_before, fold};
    let words: Vec<&str> = long.split_whitespace().collect();
    let mut out = Vec::new();
    let Some(first) = words.first().and_then(|w| w.chars().next()).map(fold) else {
        return out;
    };
    let mut pos = 0;
    while let Some(c) = char_at(text, pos) {
        let at_boundary = !char_before(text, pos).is_some_and(char::is_alphanumeric);
        if at_boundary && fold(c) == first {
            // The same word-by-word comparison: this checks where matches may start.
            if let Some(end) = match_words(text, pos, &words) {
                out.push(pos..end);
                pos = end;
                continue;
            }
        }
        pos += c.len_utf8();
    }
    out
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(3000))]
    /// Where the long form is found does not depend on how the text is walked: byte by byte,
    /// or a character at a time, also with letters whose lower case is ASCII (`K` Kelvin sign,
    /// `İ`) or two bytes long, and words glued to the match.
    #[test]
    fn long_forms_are_found_byte_by_byte_as_char_by_char(
        pieces in proptest::collection::vec(proptest::sample::select(vec![
            "Militaire", "militaire", "MILITAIRE", "Inlichtingen-", "en", "dienst", " ", "\n",
            "  ", "\u{212a}ennis", "kennis", "İnlichting", "inlichting", "é", "ïn", "😀", "x",
            ",", "(", "Militaires", "Kennis", "KENNIS",
        ]), 0..24),
        long in proptest::sample::select(vec![
            "Militaire Inlichtingen- en dienst", "kennis", "Kennis en dienst", "inlichting",
            "İnlichting", "ïn", "é dienst", " dienst  ", "militaire", "Militaire en",
        ]),
    ) {
        let text = pieces.concat();
        proptest::prop_assert_eq!(
            find_long_form_mentions(&text, long),
            long_form_mentions_char_by_char(&text, long),
            "{:?} in {:?}", long, text
        );
    }
}

//! The registry of rule ids, and selectors over them (`disable`, `allow`, scopes).

use crate::decision::Category;

/// Every rule the inspector can report, with its category. Ids are stable: configuration and
/// dashboards refer to them.
pub const RULES: &[(&str, Category)] = &[
    ("limit.event_bytes", Category::Limit),
    ("limit.depth", Category::Limit),
    ("limit.keys", Category::Limit),
    ("limit.string_bytes", Category::Limit),
    ("limit.decoded_bytes", Category::Limit),
    ("sqli.union_select", Category::Sqli),
    ("sqli.stacked_query", Category::Sqli),
    ("sqli.string_break", Category::Sqli),
    ("sqli.tautology", Category::Sqli),
    ("sqli.statement", Category::Sqli),
    ("sqli.dangerous_function", Category::Sqli),
    ("sqli.clause", Category::Sqli),
    ("sqli.probe", Category::Sqli),
    ("nosqli.operator_key", Category::Nosqli),
    ("nosqli.operator_value", Category::Nosqli),
    ("nosqli.javascript", Category::Nosqli),
    ("nosqli.orm_lookup", Category::Nosqli),
    ("nosqli.database_endpoint", Category::Nosqli),
    ("nosqli.query_dsl", Category::Nosqli),
    ("xss.dangerous_tag", Category::Xss),
    ("xss.event_handler", Category::Xss),
    ("xss.script_uri", Category::Xss),
    ("xss.css_expression", Category::Xss),
    ("xss.js_breakout", Category::Xss),
    ("xss.dom_sink", Category::Xss),
    ("xss.dom_clobbering", Category::Xss),
    ("xss.dangling_markup", Category::Xss),
    ("cmdi.command_chain", Category::CommandInjection),
    ("cmdi.substitution", Category::CommandInjection),
    ("cmdi.shell_evasion", Category::CommandInjection),
    ("cmdi.shell_path", Category::CommandInjection),
    ("cmdi.shellshock", Category::CommandInjection),
    ("cmdi.batch", Category::CommandInjection),
    ("cmdi.ssi", Category::CommandInjection),
    ("cmdi.argument_injection", Category::CommandInjection),
    ("cmdi.shell_escape", Category::CommandInjection),
    ("path.traversal", Category::PathTraversal),
    ("path.sensitive_file", Category::PathTraversal),
    ("path.null_byte", Category::PathTraversal),
    ("path.stream_wrapper", Category::PathTraversal),
    ("path.data_uri", Category::PathTraversal),
    ("path.alternate_stream", Category::PathTraversal),
    ("ssrf.metadata", Category::Ssrf),
    ("ssrf.lambda_runtime", Category::Ssrf),
    ("ssrf.loopback", Category::Ssrf),
    ("ssrf.scheme", Category::Ssrf),
    ("ssrf.url_confusion", Category::Ssrf),
    ("ssrf.obfuscated_host", Category::Ssrf),
    ("ssrf.private_address", Category::Ssrf),
    ("ssrf.remote_include", Category::Ssrf),
    ("ssrf.out_of_band", Category::Ssrf),
    ("ssrf.unc_path", Category::Ssrf),
    ("ssti.jndi", Category::Ssti),
    ("ssti.log4j_lookup", Category::Ssti),
    ("ssti.text_lookup", Category::Ssti),
    ("ssti.template_expression", Category::Ssti),
    ("code.php", Category::CodeInjection),
    ("code.java", Category::CodeInjection),
    ("code.node", Category::CodeInjection),
    ("code.python", Category::CodeInjection),
    ("code.deserialization", Category::CodeInjection),
    ("code.jdbc", Category::CodeInjection),
    ("code.ruby", Category::CodeInjection),
    ("code.breakout", Category::CodeInjection),
    ("xxe.external_entity", Category::Xxe),
    ("xxe.parameter_entity", Category::Xxe),
    ("xxe.entity_expansion", Category::Xxe),
    ("xxe.xinclude", Category::Xxe),
    ("xxe.xslt", Category::Xxe),
    ("xxe.dtd", Category::Xxe),
    ("log.line_break", Category::LogInjection),
    ("log.forged_entry", Category::LogInjection),
    ("log.unicode_separator", Category::LogInjection),
    ("log.terminal_escape", Category::LogInjection),
    ("log.protocol_command", Category::LogInjection),
    ("proto.proto_key", Category::PrototypePollution),
    ("proto.constructor_prototype", Category::PrototypePollution),
    ("proto.path_value", Category::PrototypePollution),
    ("proto.flight_reference", Category::PrototypePollution),
    ("session.fixation_param", Category::SessionFixation),
    ("session.cookie_write", Category::SessionFixation),
    ("ldap.filter_break", Category::LdapInjection),
    ("ldap.composite_filter", Category::LdapInjection),
    ("ldap.extensible_match", Category::LdapInjection),
    ("xpath.filter_break", Category::XpathInjection),
    ("xpath.expression", Category::XpathInjection),
    ("formula.dde", Category::FormulaInjection),
    ("formula.reaching_function", Category::FormulaInjection),
    ("scanner.user_agent", Category::Scanner),
    ("schema.violation", Category::Schema),
];

/// Categories the inspector reports (selectable by name).
pub const CATEGORIES: &[Category] = &[
    Category::Limit,
    Category::Sqli,
    Category::Nosqli,
    Category::Xss,
    Category::CommandInjection,
    Category::PathTraversal,
    Category::Ssrf,
    Category::Ssti,
    Category::CodeInjection,
    Category::Xxe,
    Category::LogInjection,
    Category::PrototypePollution,
    Category::SessionFixation,
    Category::LdapInjection,
    Category::XpathInjection,
    Category::FormulaInjection,
    Category::Scanner,
    Category::Schema,
];

/// The index of a rule id in [`RULES`].
pub(crate) fn index(rule: &str) -> Option<usize> {
    RULES.iter().position(|(r, _)| *r == rule)
}

/// A set of rules, as a bit per entry of [`RULES`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RuleSet(u128);

impl RuleSet {
    pub(crate) const EMPTY: RuleSet = RuleSet(0);

    pub(crate) fn contains(self, rule: usize) -> bool {
        rule < 128 && self.0 & (1u128 << rule) != 0
    }

    pub(crate) fn with(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 | other.0)
    }

    pub(crate) fn without(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 & !other.0)
    }

    /// The rules named by a list of selectors (validated beforehand; unknown names are ignored).
    pub(crate) fn from_names(names: &[String]) -> RuleSet {
        names
            .iter()
            .filter_map(|n| Selector::parse(n))
            .fold(RuleSet::EMPTY, |set, s| set.with(s.rules()))
    }
}

/// A category name or a rule id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Selector {
    Category(Category),
    Rule(usize),
}

impl Selector {
    pub(crate) fn parse(name: &str) -> Option<Selector> {
        if let Some(c) = CATEGORIES.iter().find(|c| c.name() == name) {
            return Some(Selector::Category(*c));
        }
        index(name).map(Selector::Rule)
    }

    pub(crate) fn rules(self) -> RuleSet {
        match self {
            Selector::Rule(i) => RuleSet(1u128 << i),
            Selector::Category(c) => RuleSet(
                RULES
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, rc))| *rc == c)
                    .fold(0, |acc, (i, _)| acc | (1u128 << i)),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_fits_the_set_and_ids_are_unique() {
        assert!(RULES.len() <= 128);
        for (i, (r, c)) in RULES.iter().enumerate() {
            assert_eq!(index(r), Some(i), "duplicate {r}");
            assert!(r.starts_with(c.name().split('_').next().unwrap_or("")) || r.contains('.'));
        }
    }

    #[test]
    fn selectors_name_categories_and_rules() {
        let xss = RuleSet::from_names(&["xss".into()]);
        assert!(xss.contains(index("xss.event_handler").unwrap()));
        assert!(!xss.contains(index("sqli.tautology").unwrap()));
        assert!(Selector::parse("nope").is_none());
    }
}

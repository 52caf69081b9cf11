"""Class A / class B identity documents: catalogue, rules, evaluator, evidence."""

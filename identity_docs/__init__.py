"""Class A / class B identity documents: catalogue, requirement rules, evaluator, evidence."""

"""Everything that touches a card: PC/SC client, desk agent, virtual card, issuer."""

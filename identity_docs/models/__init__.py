"""Catalogue, per-city document policy and rules, and the evidence of each visit.

- :class:`IdentityDocumentKind`: the catalogue (docs/rules/05-identity-documents.md §5.1
and the seed's list),
  loaded by a data migration from :mod:`identity_docs.catalogue_data`, edited by
  supervisors in the admin.
- :class:`DocumentChoice`: each municipality's own choice per kind (accepted,
  class, in use), applied by the evaluator.
- :class:`DocumentPolicy`: one per municipal profile; the city's choices at the
  VARIES points of docs/rules/05-identity-documents.md §5–§6 (seed city's choices by
  default).
- :class:`RequirementRule`: the requirement per procedure × applicant role × visit,
  built from the policy by ``requirement_rules_install_defaults`` and editable.
- :class:`EvidencePresented` / :class:`ScannedCopy`: what was shown at a visit, who
  checked it, and the encrypted scan kept until the profile's retention date.
"""

from .catalogue import (
    OVERRIDABLE_FIELDS,
    DocumentChoice,
    IdentityDocumentKind,
    validate_document_overrides,
)
from .evidence import EvidencePresented, ScannedCopy
from .policy import (
    DocumentPolicy,
    _default_attorney_procedures,
    _default_inability_procedures,
    validate_procedure_list,
)
from .requirements import PROCEDURE_CHOICES, RequirementRule

__all__ = [
    "OVERRIDABLE_FIELDS",
    "PROCEDURE_CHOICES",
    "DocumentChoice",
    "DocumentPolicy",
    "EvidencePresented",
    "IdentityDocumentKind",
    "RequirementRule",
    "ScannedCopy",
    "_default_attorney_procedures",
    "_default_inability_procedures",
    "validate_document_overrides",
    "validate_procedure_list",
]

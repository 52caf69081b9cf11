"""A case's or a letter's row lock, its SQL compiled once per thread (ADR 0028,
addendum).

Django compiles a queryset's SQL on every call: for a lock joined to two tables
with the office stamp that is ≈ 0.6 ms of Python, more than the database takes
to run it. The statement only differs by the primary key, so each thread
compiles it once and binds the key; the rows become models exactly as Django's
own iterator makes them (the same column order, converters and related
populators). Each thread keeps its own compiled statements, as Django keeps
its own connection per thread.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

from counter.selectors.compiled import prepared_cursor

from .office_rows import with_office_stamp

M = TypeVar("M", bound=Model)

#: The primary key the statement is compiled with, found again in its parameters.
_PLACEHOLDER = -7_331_909_117


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    key_at: int
    compiler: Any
    init_list: list[str]
    fields: tuple[int, int]
    populators: list[Any]
    annotations: dict[str, int]


class _Kept(threading.local):
    def __init__(self) -> None:
        self.statements: dict[tuple[Any, ...], _Compiled] = {}


_kept = _Kept()


def _compile(
    model: type[Model], related: tuple[str, ...], nowait: bool, no_key: bool
) -> _Compiled:
    queryset = with_office_stamp(
        model._default_manager.select_for_update(
            nowait=nowait, no_key=no_key, of=("self",)
        ),
        *related,
    ).filter(pk=_PLACEHOLDER)
    compiler = queryset.query.get_compiler(using=connection.alias)
    sql, params = compiler.as_sql()  # also sets select, klass_info, annotations
    positions = [i for i, p in enumerate(params) if p == _PLACEHOLDER]
    if len(positions) != 1:
        raise RuntimeError(f"{model.__name__}: the key is not one parameter")
    select, klass_info = compiler.select, compiler.klass_info
    first, last = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    return _Compiled(
        sql=sql,
        params=tuple(params),
        key_at=positions[0],
        compiler=compiler,
        init_list=[f[0].target.attname for f in select[first:last]],
        fields=(first, last),
        populators=get_related_populators(klass_info, select, connection.alias),
        annotations=dict(compiler.annotation_col_map),
    )


def lock_row(
    model: type[M],
    pk: Any,
    *,
    related: tuple[str, ...] = (),
    nowait: bool = False,
    no_key: bool = False,
) -> M:
    """Row ``pk`` of ``model`` locked ``FOR [NO KEY] UPDATE OF`` itself, joined to
    ``related`` and stamped (:func:`counter.services.office_rows.with_office_stamp`);
    call inside ``transaction.atomic()``. Raises ``model.DoesNotExist``."""
    key = (model, related, nowait, no_key, connection.alias, connection.vendor)
    compiled = _kept.statements.get(key)
    if compiled is None:
        compiled = _kept.statements[key] = _compile(model, related, nowait, no_key)
    params = list(compiled.params)
    params[compiled.key_at] = pk
    with prepared_cursor(connection) as cursor:
        cursor.execute(compiled.sql, params)
        rows = cursor.fetchall()
    if not rows:
        raise model.DoesNotExist(  # type: ignore[attr-defined]
            f"{model._meta.object_name} matching query does not exist."
        )
    row = next(iter(compiled.compiler.results_iter(results=[rows])))
    first, last = compiled.fields
    obj = model.from_db(connection.alias, compiled.init_list, row[first:last])
    for populator in compiled.populators:
        populator.populate(row, obj)
    for name, at in compiled.annotations.items():
        setattr(obj, name, row[at])
    return obj  # type: ignore[return-value]

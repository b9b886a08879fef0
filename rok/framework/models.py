"""Frameworks (OK-kader, RclbK, …) and the versioned statement bank.

A framework is upgraded in place (its titles and explanations are reference
text); a bank version is a frozen snapshot: a new version adds new
:class:`BankStatement` rows and never changes those of an earlier version.
Surveys copy the texts they use, so even a mistaken edit could not change a
past survey.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rok.accounts.models import utcnow
from rok.extensions import db

quality_area_expectations = Table(
    "quality_area_expectations",
    db.metadata,
    Column(
        "quality_area_id",
        ForeignKey("quality_areas.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "expectation_id",
        ForeignKey("expectations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
)


class Framework(db.Model):
    """A quality framework: the OK-kader for schools, the RclbK for CLBs."""

    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable code from the data file, e.g. "OK" or "CLB".
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    #: The official version the data follows, e.g. "2017".
    version: Mapped[str] = mapped_column(String(20))
    #: Title and explanation of the framework's (not evaluated) context and input.
    context_title: Mapped[str] = mapped_column(String(200), default="")
    context_explanation: Mapped[str] = mapped_column(Text, default="")
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    rubrieken: Mapped[list[Rubriek]] = relationship(
        back_populates="framework",
        order_by="Rubriek.position",
        cascade="all, delete-orphan",
    )
    expectations: Mapped[list[Expectation]] = relationship(
        back_populates="framework",
        order_by="Expectation.position",
        cascade="all, delete-orphan",
    )
    quality_areas: Mapped[list[QualityArea]] = relationship(
        back_populates="framework",
        order_by="QualityArea.position",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<Framework {self.code} {self.version}>"


class Rubriek(db.Model):
    """A top-level section of a framework (e.g. "Beleid")."""

    __tablename__ = "rubrieken"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")
    #: Order within the framework, from 1.
    position: Mapped[int]

    framework: Mapped[Framework] = relationship(back_populates="rubrieken")
    areas: Mapped[list[Area]] = relationship(
        back_populates="rubriek", order_by="Area.position", cascade="all, delete-orphan"
    )


class Area(db.Model):
    """A sub-area of a rubriek (e.g. "Doelen", "Personeelsbeleid")."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("rubriek_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rubriek_id: Mapped[int] = mapped_column(
        ForeignKey("rubrieken.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]

    rubriek: Mapped[Rubriek] = relationship(back_populates="areas")
    expectations: Mapped[list[Expectation]] = relationship(
        back_populates="area", order_by="Expectation.position"
    )


class Expectation(db.Model):
    """A quality expectation (kwaliteitsverwachting); every statement links to one."""

    __tablename__ = "expectations"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE")
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    #: Code as in the data file, e.g. "BL7"; unique within the framework.
    code: Mapped[str] = mapped_column(String(40))
    #: Short plain-language title shown next to statements.
    title: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")
    #: Order within the whole framework, from 1.
    position: Mapped[int]
    #: True once a newer framework file dropped it; kept because statements refer to it.
    is_retired: Mapped[bool] = mapped_column(default=False)

    framework: Mapped[Framework] = relationship(back_populates="expectations")
    area: Mapped[Area] = relationship(back_populates="expectations")
    quality_areas: Mapped[list[QualityArea]] = relationship(
        secondary=quality_area_expectations, back_populates="expectations"
    )

    @property
    def rubriek(self) -> Rubriek:
        return self.area.rubriek

    def __repr__(self) -> str:
        return f"<Expectation {self.code}>"


class QualityArea(db.Model):
    """An inspectorate quality area (kwaliteitsgebied): a group of expectations."""

    __tablename__ = "quality_areas"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE")
    )
    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    explanation: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int]

    framework: Mapped[Framework] = relationship(back_populates="quality_areas")
    expectations: Mapped[list[Expectation]] = relationship(
        secondary=quality_area_expectations,
        back_populates="quality_areas",
        order_by="Expectation.position",
    )


class BankVersion(db.Model):
    """One released version of the statement bank; frozen once loaded."""

    __tablename__ = "bank_versions"
    __table_args__ = (UniqueConstraint("framework_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id"))
    #: Version number from bank.yaml (the ``v<n>`` folder).
    version: Mapped[int]
    released: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    #: Education levels this version serves: ``[{"code": "bao", "title": …}, …]``.
    levels: Mapped[list[dict]] = mapped_column(JSON, default=list)
    #: Answer scales (agreement, action) with their points and labels, as in bank.yaml.
    scales: Mapped[dict] = mapped_column(JSON, default=dict)
    #: SHA-256 of the version's content; a loaded version whose files change is refused.
    checksum: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    framework: Mapped[Framework] = relationship()
    statements: Mapped[list[BankStatement]] = relationship(
        back_populates="bank_version",
        order_by="BankStatement.position",
        cascade="all, delete-orphan",
    )
    glossary: Mapped[list[GlossaryTerm]] = relationship(
        back_populates="bank_version",
        order_by="GlossaryTerm.position",
        cascade="all, delete-orphan",
    )

    @property
    def level_codes(self) -> list[str]:
        return [level["code"] for level in self.levels]

    def level_title(self, code: str) -> str:
        return next(
            (level["title"] for level in self.levels if level["code"] == code), code
        )

    def __repr__(self) -> str:
        return f"<BankVersion {self.version}>"


class BankStatement(db.Model):
    """A statement as worded in one bank version.

    The same ``key`` in a later version is the same statement, possibly reworded;
    surveys and round-to-round comparisons match on it.
    """

    __tablename__ = "bank_statements"
    __table_args__ = (UniqueConstraint("bank_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_version_id: Mapped[int] = mapped_column(
        ForeignKey("bank_versions.id", ondelete="CASCADE")
    )
    #: Stable key, the YAML ``id`` (e.g. "bao-R2-01").
    key: Mapped[str] = mapped_column(String(64), index=True)
    expectation_id: Mapped[int] = mapped_column(ForeignKey("expectations.id"))
    text: Mapped[str] = mapped_column(Text)
    #: Level codes the statement is written for.
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Level codes whose default selection includes it.
    default_for: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Free tags such as "thema:welbevinden" or "zorg:verhoogde-zorg".
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Order within the version (file order).
    position: Mapped[int]

    bank_version: Mapped[BankVersion] = relationship(back_populates="statements")
    expectation: Mapped[Expectation] = relationship()

    def __repr__(self) -> str:
        return f"<BankStatement {self.key} v{self.bank_version_id}>"


class GlossaryTerm(db.Model):
    """A plain-language explanation of a term, from a bank version or a framework."""

    __tablename__ = "glossary_terms"
    __table_args__ = (
        CheckConstraint(
            "(bank_version_id IS NULL) <> (framework_id IS NULL)", name="one_owner"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_versions.id", ondelete="CASCADE")
    )
    framework_id: Mapped[int | None] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE")
    )
    term: Mapped[str] = mapped_column(String(120))
    explanation: Mapped[str] = mapped_column(Text)
    position: Mapped[int]

    bank_version: Mapped[BankVersion | None] = relationship(back_populates="glossary")
    framework: Mapped[Framework | None] = relationship()

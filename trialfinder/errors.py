"""Problems found in input, named by file, record and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataProblem:
    """One thing wrong with one input: where it is and what is wrong."""

    file: str
    message: str
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.record:
            where += f", record {self.record}"
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


class DataError(ValueError):
    """Raised when an input cannot be read; carries the :class:`DataProblem`."""

    def __init__(self, problem: DataProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem

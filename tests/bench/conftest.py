from tests.bench.report import FIGURES, table


def pytest_terminal_summary(terminalreporter):
    """All figures of the run in one table, each with its target (see `report.py`)."""
    if FIGURES:
        terminalreporter.section("performance figures and their targets")
        terminalreporter.write_line(table())

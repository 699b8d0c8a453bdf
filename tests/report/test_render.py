"""ee449.report.render: text from result files can never become markup, in HTML or Markdown."""

from __future__ import annotations

from html.parser import HTMLParser

from ee449.report.render import Heading, Para, Table, render_html, render_markdown
from tests.helpers.assertions import assert_equal

HOSTILE = "<img src=x onerror=alert(1)> | *bold* [link](http://x) `code`"


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.cells = [], []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_cell = tag == "td"

    def handle_data(self, data):
        if self._in_cell:
            self.cells.append(data)

    def handle_endtag(self, tag):
        self._in_cell = False if tag == "td" else self._in_cell


def test_html_shows_hostile_text_as_text():
    page = Collect()
    page.feed(render_html([Heading(HOSTILE), Para(HOSTILE), Table("t", ["h"], [[HOSTILE]])], HOSTILE))
    assert "img" not in page.tags, page.tags
    assert_equal(page.cells, [HOSTILE], "the cell text survives unchanged")


def test_markdown_table_keeps_its_columns_and_neutralises_markup():
    markdown = render_markdown([Table("t", ["a", "b"], [[HOSTILE, "2"]])])
    header, rule, row = markdown.strip().splitlines()
    unescaped_pipes = row.replace("\\|", "").count("|")
    assert_equal(unescaped_pipes, 3, "two cells: the pipe inside the text is escaped")
    assert "<img" not in markdown and "\\*bold\\*" in markdown and "\\[link\\]" in markdown

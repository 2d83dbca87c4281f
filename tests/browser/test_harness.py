"""The accessibility check itself: a page with a serious finding, or one that scrolls
sideways, fails the test that checks it, with a message that says what and where."""

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def blank(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    yield context.new_page()
    context.close()


def test_a_serious_finding_fails_with_a_readable_message(blank):
    blank.set_content(
        '<html lang="en"><title>t</title><body><main><h1>Form</h1>'
        '<input type="text" id="name"><p style="color:#999;background:#fff">Faint</p>'
        "</main></body></html>"
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(blank)
    message = str(failure.value)
    assert "label (critical)" in message
    assert "color-contrast (serious)" in message
    assert "#name" in message
    assert "at 390 px" in message


def test_sideways_scrolling_fails(blank):
    blank.set_content(
        '<html lang="en"><title>t</title><body><main><h1>Wide</h1>'
        '<div style="width:600px">A wide box</div></main></body></html>'
    )
    with pytest.raises(pytest.fail.Exception, match=r"scrolls sideways by \d+ px"):
        assert_accessible(blank)


def test_a_clean_page_passes(blank):
    blank.set_content(
        '<html lang="en"><title>t</title><body><main><h1>Fine</h1>'
        '<label for="n">Name</label><input id="n"></main></body></html>'
    )
    assert_accessible(blank)


def test_a_table_wider_than_its_box_fails(blank):
    blank.set_content(
        '<html lang="en"><title>t</title><body><main><h1>Table</h1>'
        '<div class="table-responsive" style="width:200px;overflow-x:auto" tabindex="0" '
        'role="region" aria-label="Wide"><table style="width:500px"><caption>Many columns'
        "</caption><tr><th>A</th><td>1</td></tr></table></div></main></body></html>"
    )
    with pytest.raises(pytest.fail.Exception, match='"Many columns" is 500 px wide in a 200 px'):
        assert_accessible(blank)

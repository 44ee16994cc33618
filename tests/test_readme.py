"""The README's set-up commands and code examples are the ones CI runs and that work."""

import pathlib
import re

import pytest

README = (pathlib.Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_set_up_commands():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    assert len(blocks) >= 2 and README.index("```bash") < README.index("##")
    open_command, test_command = (b.strip() for b in blocks[:2])
    assert "python3 -m venv .venv" in open_command and "jupyter lab" in open_command
    assert '".[test]"' in test_command and "pytest" in test_command


@pytest.mark.parametrize("block", re.findall(r"```python\n(.*?)```", README, re.S))
def test_python_examples_run_and_print_what_they_claim(block):
    namespace = {}
    for line in block.splitlines():
        exec(line.split("#")[0], namespace)  # noqa: S102 - the README's own example code
        claim = re.search(r"#.*?:\s*([-0-9.e]+)\s*$", line)
        if claim and "=" not in line.split("#")[0]:
            value = eval(line.split("#")[0], namespace)  # noqa: S307
            assert value == pytest.approx(float(claim.group(1)), rel=1e-12), line


def test_every_image_the_readme_shows_is_in_the_repository():
    root = pathlib.Path(__file__).parent.parent
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert len(images) >= 3
    for image in images:
        assert (root / image).is_file() and (root / image).stat().st_size > 10_000, image

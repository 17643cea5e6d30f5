"""The Python examples in examples/python run and print what they promise."""

import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "python"


def test_clientid_replies_answers_draft_section_8_lines() -> None:
    lines = b"CLIENTID UUID 23bf83be-aad7-46aa-9e0f-39191ccf402f\r\nCLIENTID MAC\r\n"
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "clientid_replies.py")],
        input=lines,
        capture_output=True,
        check=True,
    )
    assert result.stdout.decode().splitlines() == [
        "250 OK",
        "501 Syntax error in parameters or arguments",
    ]
    assert "client-id-token missing at offset 12" in result.stderr.decode()

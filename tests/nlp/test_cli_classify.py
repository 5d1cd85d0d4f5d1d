"""The `linli classify` contract: JSON lines in, one JSON line per input line out."""
import json

from click.testing import CliRunner

from bot.commands.nlp import classify_command, nlp_group
from nlp.batch import OUTPUT_KEYS


def _run(stdin: str | None = None, args: list[str] | None = None):
    result = CliRunner().invoke(classify_command, args or [], input=stdin)
    return result, [json.loads(line) for line in result.stdout.splitlines()]


def test_contract_fields_and_values():
    result, rows = _run('{"id": 7, "text": "3号楼2单元501卫生间漏水了"}\n'
                        '{"id": "b", "text": "你好"}\n')
    assert result.exit_code == 0
    assert [tuple(r) for r in rows] == [OUTPUT_KEYS, OUTPUT_KEYS]
    first, second = rows
    assert first["id"] == 7 and first["intent"] == "complaint"
    assert first["category"] == "water_leak"
    assert (first["building"], first["unit"], first["room"]) == ("3", "2", "501")
    assert first["urgent"] is False and 0.0 < first["confidence"] <= 1.0
    assert second["id"] == "b" and second["intent"] == "greeting" and second["category"] is None


def test_urgent_message():
    _, rows = _run('{"id": 1, "text": "电梯困人了！！7号楼 两个人在里面"}\n')
    assert rows[0]["urgent"] is True and rows[0]["intent"] == "complaint"
    assert rows[0]["building"] == "7"


def test_malformed_lines_get_errors_and_the_rest_is_classified():
    stdin = ('{"id": 1, "text": "楼道灯不亮"}\n'
             '{"id": 2, "text": \n'            # line 2: broken JSON
             '\n'                              # line 3: blank, skipped
             '{"id": 4}\n'                     # line 4: no text
             '[1, 2]\n'                        # line 5: not an object
             '{"id": 6, "text": 42}\n'         # line 6: text not a string
             '{"id": 7, "text": "东门的监控坏了"}\n')
    result, rows = _run(stdin)
    assert result.exit_code == 0
    errors = [r for r in rows if "error" in r]
    assert [(e["line"], e["id"]) for e in errors] == [(2, None), (4, 4), (5, None), (6, 6)]
    assert [r["id"] for r in rows if "error" not in r] == [1, 7]
    assert "4 line(s)" in result.stderr


def test_reads_a_file(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "x", "text": "１２－２－１１０１物业费交到几月了"}\n', encoding="utf-8")
    _, rows = _run(args=[str(path)])
    assert rows[0]["id"] == "x"
    assert (rows[0]["building"], rows[0]["unit"], rows[0]["room"]) == ("12", "2", "1101")


def test_output_is_utf8_json_not_escaped():
    result, _ = _run('{"id": 1, "text": "东门那张公告写的啥"}\n')
    assert "东门" in result.stdout


def test_train_subcommand_is_registered():
    result = CliRunner().invoke(nlp_group, ["train", "--help"])
    assert result.exit_code == 0 and "train split" in result.output

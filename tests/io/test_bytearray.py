"""QByteArray: PyQt6's behaviour, checked expression by expression against PyQt6 itself."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from qtls.QtCore import QByteArray

# Each expression is evaluated with B bound to qtls's QByteArray and to PyQt6's; results must
# agree (QByteArray results are compared by content, type and null-ness; exceptions by type).
EXPRESSIONS = [
    "B(b'abc')[0]", "B(b'abc')[-1]", "B(b'abc')[0:2]", "B(b'abc')[::2]", "list(B(b'ab'))",
    "B(b'abc')[5]", "B(b'abc')[-4]",
    "B(b'abc') == b'abc'", "B(b'abc') == B(b'abc')", "B(b'abc') == 'abc'", "B(b'abc') != b'abd'",
    "B(b'abc') == 1", "B(b'abc') == bytearray(b'abc')", "B(b'abc') < b'abd'", "B(b'abc') < 'b'",
    "B(b'abc') >= B(b'abc')", "B(b'abc') < 1",
    "B().isNull()", "B(b'').isNull()", "B(b'').isEmpty()", "B(3, b'x')", "B(-1, b'x')",
    "B('abc')", "B(3)", "B(2, b'xy')", "B(None)", "B()",
    "B(b'abc').toHex()", "B(b'abc').toHex(b':')", "B(b'abc').toHex(b'::')",
    "B.fromHex(b'61 62zz63')", "B.fromHex(b'abc')", "B.fromHex(b'0xAB')",
    "B(b'abc').toBase64()", "B(b'ab').toBase64(B.Base64Option.OmitTrailingEquals)",
    "B(b'\\xff\\x00').toBase64(B.Base64Option.Base64UrlEncoding | B.Base64Option.OmitTrailingEquals)",
    "B.fromBase64(b'YWJj')", "B.fromBase64(b'YW Jj')",
    "B.fromBase64(b'YW Jj', B.Base64Option.AbortOnBase64DecodingErrors)", "B.fromBase64(b'YWJ')",
    "B.fromBase64(b'YWJ', B.Base64Option.AbortOnBase64DecodingErrors)",
    "B.fromBase64(b'_w', B.Base64Option.Base64UrlEncoding)", "B.fromBase64(b'_w')",
    "B.fromBase64(b'YQ==YQ==')",
    "B.fromBase64(b'YQ==YQ==', B.Base64Option.AbortOnBase64DecodingErrors)",
    "B.fromBase64(b'!!!')",
    "B(b'abc').count()", "B(b'abc').count(b'a')", "B(b'abc').count(b'')", "B(b'abc').length()",
    "B(b'abc').size()", "len(B(b'abc'))",
    "b'a' in B(b'abc')", "'a' in B(b'abc')", "97 in B(b'abc')", "B(b'abc').contains(b'bc')",
    "B(b'abc').indexOf(b'c')", "B(b'abc').indexOf(b'c', 5)", "B(b'abc').indexOf(b'a', -1)",
    "B(b'abc').indexOf(b'')", "B(b'abc').indexOf(b'c', -1)", "B(b'abcabc').indexOf(b'bc', 2)",
    "B(b'abc').lastIndexOf(b'c', -2)", "B(b'abcabc').lastIndexOf(b'b', 3)",
    "B(b'abc').lastIndexOf(b'')", "B(b'abc').lastIndexOf(b'a')",
    "B(b'abcabc').lastIndexOf(b'bc')", "B(b'abcabc').lastIndexOf(b'bc', 3)",
    "B(b'  a b  \\n').trimmed()", "B(b'  a  b  \\n').simplified()",
    "B(b'\\t a\\x0b\\x0cb\\r\\n').simplified()",
    "B(b'a,b,,c').split(b',')", "B(b'').split(b',')", "B(b'a b').split(b'ab')",
    "B(b'a b').split(B(b' '))",
    "B(b'12').toInt()", "B(b'x').toInt()", "B(b'ff').toInt(16)", "B(b' 12 ').toInt()",
    "B(b'0x1f').toInt(16)", "B(b'0x1f').toInt(0)", "B(b'017').toInt(0)", "B(b'-5').toInt()",
    "B(b'99999999999').toInt()", "B(b'+5').toInt()", "B(b'1_0').toInt()", "B(b'').toInt()",
    "B(b'0b11').toInt(0)", "B(b'z').toInt(36)", "B(b'1').toInt(1)", "B(b'-2147483648').toInt()",
    "B(b'2147483648').toInt()", "B(b'1 2').toInt()",
    "B(b'abc').left(5)", "B(b'abc').right(2)", "B(b'abc').mid(1)", "B(b'abc').mid(1, 1)",
    "B(b'abc').mid(5)", "B(b'abc').mid(3)", "B(b'abc').mid(-1, 2)", "B(b'abc').mid(-1)",
    "B(b'abc').mid(-5, 2)", "B(b'abc').mid(1, -5)", "B(b'abc').mid(5, 1)",
    "B(b'abc').left(-1)", "B(b'abc').right(-1)",
    "B(b'abc') + b'd'", "b'x' + B(b'abc')", "B(b'ab') * 2", "B(b'ab') + 'c'",
    "B(b'abc').startsWith(b'ab')", "B(b'abc').endsWith(b'bc')", "B(b'abc').endsWith(b'x')",
    "B(b'abc').at(1)", "B(b'abc').first(2)", "B(b'abc').last(2)", "B(b'abc').chopped(1)",
    "B(b'abc').sliced(1)", "B(b'abc').sliced(1, 1)", "B(b'abc').toUpper()", "B(b'AB').toLower()",
    "B(b'\\x00a\\xe9').toUpper()",
    "B(b'abc').replace(b'b', b'XX')", "B(b'abc').replace(0, 1, b'Z')",
    "B(b'abc').replace(1, 10, b'Z')", "B(b'aaa').replace(b'a', b'')",
    "B(b'aa').replace(b'', b'x')",
    "B(b'abc').append(b'x', 2)", "B(b'abc').append(2, b'xy')", "B(b'abc').append(2, b'z')",
    "B(b'abc').append(B(b'd'))",
    "str(B(b'abc'), 'utf-8')", "str(B(b'a\\xff'))", "B(b'abc').data()",
    "bytes(B(b'abc'))", "memoryview(B(b'abc')).tobytes()", "memoryview(B(b'abc')).readonly",
    "{B(b'a'): 1}[B(b'a')]", "B(b'x').clear()",
]


def _normal(value: Any, qba: type) -> Any:
    if type(value).__name__ == "QByteArray":
        null = value.isNull()  # first: PyQt6 detaches a null array when its buffer is read
        return ("QByteArray", bytes(value), null)
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [_normal(v, qba) for v in value]
    return type(value).__name__, value


def _evaluate(expr: str, qba: type) -> Any:
    try:
        return _normal(eval(expr, {"B": qba}), qba)
    except Exception as exc:  # the exception type is part of the behaviour compared
        return ("raises", type(exc).__name__)


@pytest.mark.pyqt6
@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_expression_matches_pyqt6(expr: str) -> None:
    qtcore = pytest.importorskip("PyQt6.QtCore")
    assert _evaluate(expr, QByteArray) == _evaluate(expr, qtcore.QByteArray)


def test_append_and_iadd_modify_in_place_and_return_self() -> None:
    ba = QByteArray()
    assert ba.isNull()
    assert ba.append(b"x") is ba
    alias = ba
    ba += b"yz"
    assert alias is ba and ba == b"xyz" and not ba.isNull()
    ba.append(2, b"!")
    assert alias == b"xyz!!"


def test_clear_makes_array_null_again() -> None:
    ba = QByteArray(b"data")
    ba.clear()
    assert ba.isNull() and ba.isEmpty()


def test_hash_follows_value_like_bytes() -> None:
    assert hash(QByteArray(b"key")) == hash(b"key")
    table: dict[Any, int] = {QByteArray(b"key"): 1}
    assert table[b"key"] == 1


def test_buffer_protocol_feeds_hashlib_and_str() -> None:
    ba = QByteArray("grüße".encode())
    assert hashlib.sha256(ba).hexdigest() == hashlib.sha256("grüße".encode()).hexdigest()
    assert str(ba, "utf-8") == "grüße"


def test_from_pieces_copies_each_piece_once_into_place() -> None:
    a, b = b"a" * 70_000, memoryview(b"b" * 30_000)[5:]
    ba = QByteArray._from_pieces([a, b])
    assert isinstance(ba, QByteArray) and not ba.isNull()
    assert ba == a + b"b" * 29_995


def test_repr_names_the_qtls_class_and_null_state() -> None:
    assert repr(QByteArray()) == "qtls.QtCore.QByteArray()"
    assert repr(QByteArray(b"a")) == "qtls.QtCore.QByteArray(b'a')"


def test_number_formats_in_base() -> None:
    assert QByteArray.number(255, 16) == b"ff"
    assert QByteArray.number(-10) == b"-10"
    assert QByteArray.number(5, 2) == b"101"


def test_copy_and_pickle_keep_content_and_null_state() -> None:
    import copy
    import pickle

    for clone in (copy.copy, copy.deepcopy, lambda x: pickle.loads(pickle.dumps(x))):
        assert clone(QByteArray(b"ab")) == b"ab"
        assert clone(QByteArray()).isNull()
        assert not clone(QByteArray(b"")).isNull()

"""The alias-mode remote join document written as text is graphql-core's ``print_ast``, character for character.

The oracle is the AST the document used to be built as (one aliased field per key, each a chain of
fields down the remote path ending in the client's selection, under an operation holding the client's
variables), printed by graphql-core. Inputs cover every kind of GraphQL value, argument lists on both
sides of the printer's 80-character wrap, paths of one to three steps and client selections with
aliases, arguments, directives, fragment spreads, inline fragments and block strings. Key values
never leave their literal: text that is no enum name goes as a string, an object key that is no
GraphQL name fails the join.
"""

import string

import pytest
from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLString,
    InlineFragmentNode,
    IntValueNode,
    ListTypeNode,
    ListValueNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    parse,
    print_ast,
)
from graphql import GraphQLBoolean as Boolean
from graphql import GraphQLFloat as Float
from graphql import GraphQLID as ID
from graphql import GraphQLInt as Int
from graphql.language.print_string import print_string
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engine.execute import remote
from engine.execute.aliased_document import MAX_LINE_LENGTH, AliasedDocument, literal, string_literal
from engine.graphql_errors import RequestError
from engine.plan.nodes import LhsKey, RemoteJoin, RemoteStep

SETTINGS = settings(max_examples=200, deadline=None, derandomize=True, database=None)
# The whole-document properties draw large inputs: fewer of them keep the file within a few seconds.
LARGE_SETTINGS = settings(SETTINGS, max_examples=100)

# --- strategies ---------------------------------------------------------------------------------

_NAME_START = string.ascii_letters + "_"
names = st.builds(
    lambda first, rest: first + rest,
    st.sampled_from(_NAME_START),
    st.text(st.sampled_from(_NAME_START + string.digits), max_size=14),
)
enum_names = names.filter(lambda name: name not in ("true", "false", "null"))
# Every character but lone surrogates, which no client document or database row can carry.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
tricky_texts = st.sampled_from(
    ["", '"', "\\", '\\"', "a\nb", "\r\n\t", "\x00\x1f\x7f", "é😀", '"""', "  x  "]
)
# What a client may write in a block string: printable characters, quotes, backslashes, line breaks.
block_texts = st.text(
    st.sampled_from(string.printable.replace("\x0b", "").replace("\x0c", "") + "é"), max_size=40
)
big_ints = st.one_of(st.integers(), st.integers(min_value=-(2**80), max_value=2**80))
finite_floats = st.floats(allow_nan=False, allow_infinity=False)


def _strings(draw_text):
    return st.builds(StringValueNode, value=draw_text)


constant_scalars = st.one_of(
    _strings(texts),
    _strings(tricky_texts),
    st.builds(StringValueNode, value=block_texts, block=st.just(True)),
    big_ints.map(lambda value: IntValueNode(value=str(value))),
    finite_floats.map(lambda value: FloatValueNode(value=repr(value))),
    st.booleans().map(lambda value: BooleanValueNode(value=value)),
    st.just(NullValueNode()),
    enum_names.map(lambda value: EnumValueNode(value=value)),
)
scalar_values = constant_scalars | names.map(lambda value: VariableNode(name=NameNode(value=value)))


def _compound(children):
    fields = st.lists(st.tuples(names, children), max_size=4).map(
        lambda pairs: ObjectValueNode(
            fields=tuple(ObjectFieldNode(name=NameNode(value=k), value=v) for k, v in pairs)
        )
    )
    lists = st.lists(children, max_size=4).map(lambda values: ListValueNode(values=tuple(values)))
    return st.one_of(fields, lists)


values = st.recursive(scalar_values, _compound, max_leaves=5)
constants = st.recursive(constant_scalars, _compound, max_leaves=4)
# Short argument lists stay on one line, long ones pass the 80-character rule.
argument_lists = st.lists(st.tuples(names, values), max_size=5)


def _name(value):
    return NameNode(value=value)


directives = st.lists(
    st.builds(
        lambda name, arguments: DirectiveNode(
            name=_name(name),
            arguments=tuple(ArgumentNode(name=_name(k), value=v) for k, v in arguments),
        ),
        st.sampled_from(["include", "skip", "cached", "tag"]),
        st.lists(st.tuples(names, values), max_size=2),
    ),
    max_size=2,
)


def _selections(children):
    field = st.builds(
        lambda alias, name, arguments, found, selection: FieldNode(
            alias=None if alias is None else _name(alias),
            name=_name(name),
            arguments=tuple(ArgumentNode(name=_name(k), value=v) for k, v in arguments),
            directives=tuple(found),
            selection_set=selection,
        ),
        st.none() | names,
        names,
        argument_lists,
        directives,
        st.none() | children,
    )
    spread = st.builds(
        lambda name, found: FragmentSpreadNode(name=_name(name), directives=tuple(found)), names, directives
    )
    inline = st.builds(
        lambda condition, found, selection: InlineFragmentNode(
            type_condition=None if condition is None else NamedTypeNode(name=_name(condition)),
            directives=tuple(found),
            selection_set=selection,
        ),
        st.none() | names,
        directives,
        children,
    )
    return st.lists(st.one_of(field, spread, inline), min_size=1, max_size=4).map(
        lambda found: SelectionSetNode(selections=tuple(found))
    )


leaf_selection = st.lists(names, min_size=1, max_size=4).map(
    lambda found: SelectionSetNode(
        selections=tuple(FieldNode(name=_name(n), arguments=(), directives=()) for n in found)
    )
)
selections = st.recursive(leaf_selection, _selections, max_leaves=4)

type_nodes = st.recursive(
    names.map(lambda name: NamedTypeNode(name=_name(name))),
    lambda inner: st.one_of(
        inner.filter(lambda node: not isinstance(node, NonNullTypeNode)).map(
            lambda node: NonNullTypeNode(type=node)
        ),
        inner.map(lambda node: ListTypeNode(type=node)),
    ),
    max_leaves=3,
)
variable_definitions = st.lists(
    st.builds(
        lambda name, graphql_type, default: VariableDefinitionNode(
            variable=VariableNode(name=_name(name)), type=graphql_type, default_value=default, directives=()
        ),
        names,
        type_nodes,
        st.none() | constants,
    ),
    max_size=3,
)


# --- the oracle: the AST, printed by graphql-core -------------------------------------------------


def expected_field(alias, path, arguments_of, selection):
    """``alias: step1(args) { step2(args) { <selection> } }`` as FieldNodes."""
    selection_set = selection
    field = None
    for index in range(len(path) - 1, -1, -1):
        step = path[index]
        field = FieldNode(
            alias=_name(alias) if index == 0 else None,
            name=_name(step.name),
            arguments=tuple(ArgumentNode(name=_name(k), value=v) for k, v in arguments_of(step)),
            directives=(),
            selection_set=selection_set,
        )
        selection_set = SelectionSetNode(selections=(field,))
    return field


def expected_document(variables, fields):
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=tuple(variables),
        directives=(),
        selection_set=SelectionSetNode(selections=tuple(fields)),
    )
    return print_ast(DocumentNode(definitions=(operation,)))


def written(path, selection, variables, keyed_arguments):
    """The document ``AliasedDocument`` writes for one ``(alias, {step name: arguments})`` per key.

    Aliases ``f<argument id>`` are written as a join writes them (``key_fields``), others one by one.
    """
    printer = AliasedDocument(path, selection, variables)
    texts = [
        (alias, [[f"{n}: {literal(v)}" for n, v in arguments[step.name]] for step in path])
        for alias, arguments in keyed_arguments
    ]
    if all(_argument_id(alias) is not None for alias, _ in texts):
        keys = [(_argument_id(alias), index) for index, (alias, _) in enumerate(texts)]
        fields = printer.key_fields(keys, lambda key: texts[key[1]][1])
    else:
        fields = [printer.field(alias, arguments) for alias, arguments in texts]
    return printer.document(fields)


def _argument_id(alias):
    """The argument id of an alias ``f<id>`` (None for another alias)."""
    digits = alias[1:]
    return int(digits) if alias.startswith("f") and digits.isdigit() and f"f{int(digits)}" == alias else None


def printed(path, selection, variables, keyed_arguments):
    fields = [
        expected_field(alias, path, lambda step, a=arguments: a[step.name], selection)
        for alias, arguments in keyed_arguments
    ]
    return expected_document(variables, fields)


@st.composite
def join_levels(draw):
    """A path of distinct step names and, for each key, an alias and every step's arguments."""
    step_names = draw(st.lists(names, min_size=1, max_size=3, unique=True))
    path = tuple(RemoteStep(name, {}, {}) for name in step_names)
    aliases = draw(st.lists(st.integers(0, 10**6).map(lambda n: f"f{n}") | names, min_size=1, max_size=3))
    keyed = [(alias, {name: draw(argument_lists) for name in step_names}) for alias in aliases]
    selection = draw(st.none() | selections)
    variables = draw(variable_definitions)
    return path, selection, variables, keyed


# --- the written text is the printer's ------------------------------------------------------------


@LARGE_SETTINGS
@given(join_levels())
def test_written_document_is_print_ast_of_the_same_ast(level):
    path, selection, variables, keyed = level

    text = written(path, selection, variables, keyed)

    assert text == printed(path, selection, variables, keyed)
    operation = parse(text).definitions[0]
    assert [field.alias.value for field in operation.selection_set.selections] == [a for a, _ in keyed]


def _args_of_length(prefix, total):
    """One string argument whose field line ``prefix(a: "...")`` is exactly ``total`` characters."""
    padding = total - len(prefix) - len('(a: "")')
    return [("a", StringValueNode(value="x" * padding))]


def test_arguments_wrap_exactly_past_eighty_characters():
    path = (RemoteStep("user", {}, {}),)
    for total, wrapped in ((MAX_LINE_LENGTH, False), (MAX_LINE_LENGTH + 1, True)):
        keyed = [("f1", {"user": _args_of_length("f1: user", total)})]
        text = written(path, None, (), keyed)

        assert text == printed(path, None, (), keyed)
        assert ("(\n" in text) is wrapped


def test_several_arguments_wrap_on_their_joined_length():
    path = (RemoteStep("user", {}, {}),)
    # "f1: user(" + 'a: "..", b: ".."' + ")": separators count towards the 80 characters.
    for padding, wrapped in ((30, False), (31, True)):
        arguments = [("a", StringValueNode(value="x" * padding)), ("b", StringValueNode(value="y" * 28))]
        keyed = [("f1", {"user": arguments})]
        text = written(path, None, (), keyed)

        assert text == printed(path, None, (), keyed)
        assert ("(\n" in text) is wrapped


def test_inner_steps_wrap_on_their_own_length_not_their_indentation():
    path = (RemoteStep("a", {}, {}), RemoteStep("b", {}, {}), RemoteStep("c", {}, {}))
    long_arguments = [("k", StringValueNode(value="z" * 70))]
    keyed = [("f1", {"a": [], "b": [], "c": long_arguments}), ("f2", {"a": long_arguments, "b": [], "c": []})]
    selection = parse('{ x(note: """line one\n\n  line two""") @include(if: $v) { ...F } }').definitions[0]

    text = written(path, selection.selection_set, (), keyed)

    assert text == printed(path, selection.selection_set, (), keyed)
    assert '      c(k: "' in text  # 70 z's plus the prefix stay within 80 characters


@st.composite
def argument_lists_near_the_limit(draw):
    """A prefix and string arguments whose one-line form is a few characters either side of 80."""
    prefix = draw(st.sampled_from(["f1: user", "f123456: accountsByOrganisation", "step"]))
    count = draw(st.integers(1, 5))
    argument_names = draw(st.lists(names, min_size=count, max_size=count))
    total = draw(st.integers(MAX_LINE_LENGTH - 4, MAX_LINE_LENGTH + 4))
    fixed = len(prefix) + 2 + sum(len(n) + 4 for n in argument_names) + 2 * (count - 1)
    lengths = [draw(st.integers(0, 10)) for _ in range(count - 1)]
    last = total - fixed - sum(lengths)
    assume(last >= 0)
    arguments = [
        (n, StringValueNode(value="v" * length))
        for n, length in zip(argument_names, [*lengths, last], strict=True)
    ]
    return prefix, arguments, total > MAX_LINE_LENGTH


@SETTINGS
@given(argument_lists_near_the_limit())
def test_argument_lists_around_eighty_characters(case):
    prefix, arguments, wrapped = case
    alias, step_name = prefix.split(": ") if ": " in prefix else ("s", prefix)
    if ": " not in prefix:  # an inner step: no alias of its own
        path = (RemoteStep("outer", {}, {}), RemoteStep(step_name, {}, {}))
        keyed = [(alias, {"outer": [], step_name: arguments})]
    else:
        path = (RemoteStep(step_name, {}, {}),)
        keyed = [(alias, {step_name: arguments})]

    text = written(path, None, (), keyed)

    assert text == printed(path, None, (), keyed)
    assert (f"{step_name}(\n" in text) is wrapped


def test_a_multiline_variable_definition_keeps_the_head():
    variables = parse('query ($v: String = """a\nb""", $w: [Int!]) { x }').definitions[0].variable_definitions
    path = (RemoteStep("user", {}, {}),)
    keyed = [("f1", {"user": [("id", IntValueNode(value="1"))]})]

    text = written(path, None, variables, keyed)

    assert text == printed(path, None, variables, keyed)
    assert text.startswith("query (\n")


# --- through the join: key values as literals of the remote argument types ------------------------

COLOR = GraphQLEnumType("Color", {"RED": "RED", "GREEN": "GREEN"})
JSON = GraphQLScalarType("JSON")
FILTER = GraphQLInputObjectType(
    "Filter",
    lambda: {
        "id": GraphQLInputField(ID),
        "ids": GraphQLInputField(GraphQLList(GraphQLNonNull(Int))),
        "color": GraphQLInputField(COLOR),
        "nested": GraphQLInputField(FILTER),
        "weight": GraphQLInputField(Float),
    },
)
INPUT_TYPES = [
    Int,
    GraphQLNonNull(Int),
    Float,
    GraphQLString,
    Boolean,
    ID,
    GraphQLNonNull(ID),
    COLOR,
    JSON,
    FILTER,
    GraphQLList(Int),
    GraphQLList(GraphQLNonNull(GraphQLString)),
    GraphQLList(GraphQLList(ID)),
    GraphQLList(FILTER),
    None,  # an argument the schema does not describe
]

json_values = st.recursive(
    st.none()
    | st.booleans()
    | big_ints
    | finite_floats
    | texts
    | tricky_texts
    | st.sampled_from(["RED", "GREEN", "12", "-3", "1.5"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["id", "ids", "color", "nested", "weight", "other"]), inner, max_size=3
        )
    ),
    max_leaves=8,
)
lhs_names = st.sampled_from(["id", "name", "org", "member"])


def _template(children):
    return st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "ids", "color", "nested", "weight"]), children, max_size=3
    )


templates = st.recursive(
    lhs_names.map(lambda name: "$" + name) | json_values, lambda inner: _template(inner), max_leaves=6
)


@st.composite
def remote_joins(draw):
    lhs = draw(st.lists(lhs_names, min_size=1, max_size=3, unique=True))
    steps = []
    for step_name in draw(st.lists(names, min_size=1, max_size=3, unique=True)):
        arguments = draw(st.dictionaries(names, templates, max_size=4))
        types = {name: draw(st.sampled_from(INPUT_TYPES)) for name in arguments}
        steps.append(RemoteStep(step_name, arguments, {k: v for k, v in types.items() if v is not None}))
    call = RemoteJoin(
        remote_schema="remote",
        keys=tuple(LhsKey(f"__{name}", name) for name in lhs),
        path=tuple(steps),
        selection=draw(st.none() | selections),
        variables=tuple(draw(variable_definitions)),
    )
    ids = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=4, unique=True))
    keys = [(argument_id, *(draw(json_values) for _ in lhs)) for argument_id in ids]
    return call, keys


@LARGE_SETTINGS
@given(remote_joins())
def test_join_document_is_print_ast_of_the_join_ast(case):
    call, keys = case

    document, variables = remote._aliased_document(call, keys)

    fields = []
    for key in keys:
        values = {lhs.name: value for lhs, value in zip(call.keys, key[1:], strict=True)}
        fields.append(
            expected_field(
                f"f{key[0]}",
                call.path,
                lambda step, v=values: [
                    (argument, remote.value_ast(remote.filled(template, v), step.types.get(argument)))
                    for argument, template in step.arguments.items()
                ],
                call.selection,
            )
        )
    assert document == expected_document(call.variables, fields)
    assert variables == {}
    parse(document)


KEY_TYPES = [Int, GraphQLNonNull(Int), ID, GraphQLNonNull(ID), GraphQLString, Float, Boolean, COLOR, None]
KEY_VALUES = [0, -3, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 10**20, True, 1.5, "12", "-3", "012", "12\n"]
KEY_VALUES += ["RED", 'a"b\\c', "é\u2028", "", None, [1, "2"], {"id": 1}]


@pytest.mark.parametrize("graphql_type", KEY_TYPES, ids=str)
@pytest.mark.parametrize("value", KEY_VALUES, ids=repr)
def test_a_key_is_written_as_its_printed_literal(value, graphql_type):
    """Keys written straight away (strings and integers of built-in scalars) read as the printed node."""
    expected = literal(remote.value_ast(value, graphql_type))

    assert remote.literal_text(value, graphql_type) == expected
    assert remote.key_literal_writer(graphql_type)(value) == expected


# --- key values never break out of their literal --------------------------------------------------


def _status_join(argument_type):
    step = RemoteStep("orders", {"status": "$status"}, {"status": argument_type})
    return RemoteJoin(
        remote_schema="remote", keys=(LhsKey("status", "status"),), path=(step,), selection=None
    )


def test_enum_key_values_are_enum_literals():
    document, _ = remote._aliased_document(_status_join(COLOR), [(0, "RED"), (1, None)])

    assert document == "{\n  f0: orders(status: RED)\n  f1: orders(status: null)\n}"


@pytest.mark.parametrize(
    "value",
    ["RED) secret: viewer { password } x: orders(status: RED", "", "0A", "true", "null", "RED\n", '"'],
)
def test_enum_key_values_that_are_not_names_are_written_as_strings(value):
    document, _ = remote._aliased_document(_status_join(GraphQLList(COLOR)), [(0, value)])

    (field,) = parse(document).definitions[0].selection_set.selections
    (literal,) = field.arguments[0].value.values
    assert (field.alias.value, type(literal), literal.value) == ("f0", StringValueNode, value)


@pytest.mark.parametrize("argument_type", [FILTER, JSON, None])
def test_object_keys_that_are_not_names_fail_the_join(argument_type):
    step = RemoteStep(
        "orders", {"where": "$where"}, {} if argument_type is None else {"where": argument_type}
    )
    call = RemoteJoin(remote_schema="remote", keys=(LhsKey("where", "where"),), path=(step,), selection=None)
    injected = {"id: 1}) secret: viewer { password } x: orders(where: {id": 1}

    with pytest.raises(RequestError) as raised:
        remote._aliased_document(call, [(0, injected)])

    assert raised.value.code == "unexpected"
    assert remote._aliased_document(call, [(0, {"id": 1})])[0] == "{\n  f0: orders(where: {id: 1})\n}"


def test_argument_and_join_field_names_are_written_as_literals_never_as_code():
    odd = "x'] + __import__('os').name + ['"
    step = RemoteStep("orders", {odd: f"${odd}", "b": 'y"); raise SystemExit #'}, {})
    call = RemoteJoin(remote_schema="remote", keys=(LhsKey(odd, odd),), path=(step,), selection=None)

    document, _ = remote._aliased_document(call, [(0, 7)])

    assert document == f'{{\n  f0: orders({odd}: 7, b: "y\\"); raise SystemExit #")\n}}'


@settings(max_examples=300)
@given(
    st.text(
        st.one_of(
            st.characters(exclude_categories=("Cs",)),
            st.sampled_from('"\\\x00\x08\t\n\x1f\x7f\x85\x9f\xa0\u2028'),
        ),
        max_size=20,
    )
)
def test_a_string_literal_is_the_printers_whether_or_not_it_escapes(value):
    assert string_literal(value) == print_string(value)

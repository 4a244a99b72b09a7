import Testing
@testable import ChatTemplate

/// Python and jinja2 semantics that chat templates rely on. Expected outputs were produced by
/// jinja2 3.1 in transformers' environment, with messages = [system "S", user "Hi"].
struct PythonSemanticsTests {
    static let cases: [(String, String)] = [
        ("{{ none }}|{{ true }}|{{ 1.0 }}|{{ 1e20 }}|{{ 0.00001 }}|{{ 7 / 2 }}|{{ 7 // 2 }}|{{ -7 % 3 }}|{{ 2 ** 10 }}",
         "None|True|1.0|1e+20|1e-05|3.5|3|2|1024"),
        ("{{ messages }}",
         "[{'role': 'system', 'content': 'S'}, {'role': 'user', 'content': 'Hi'}]"),
        ("{{ {'a': [1, 2.5, none, true, \"it's\"]} }}",
         "{'a': [1, 2.5, None, True, \"it's\"]}"),
        ("{{ messages[::-1] | map(attribute='role') | join(',') }}|{{ messages[-1].content }}|{{ 'abcdef'[1:5:2] }}|{{ 'abc'[::-1] }}",
         "user,system|Hi|bd|cba"),
        ("{{ x is defined }}|{{ messages[0].missing is defined }}|{{ x }}|{% for i in x %}never{% endfor %}|{{ x | length }}|{{ x | default('d') }}",
         "False|False|||0|d"),
        ("{{ [1] + [2] }}|{{ 'a' ~ 1 ~ none }}|{{ 'ab' in 'cabd' }}|{{ 2 in [1, 2] }}|{{ 'k' in {'k': 1} }}|{{ 1 == 1.0 }}|{{ true == 1 }}",
         "[1, 2]|a1None|True|True|True|True|True"),
        ("{{ {'b': 1, 'a': [1, 'é', 2.0]} | tojson }}|{{ {'b': 1} | tojson(indent=2) }}|{{ 'é' | tojson(ensure_ascii=true) }}|{{ [1,2] | tojson(separators=(',', ':')) }}",
         "{\"b\": 1, \"a\": [1, \"é\", 2.0]}|{\n  \"b\": 1\n}|\"\\u00e9\"|[1,2]"),
        ("{{ '  x y  '.strip() }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'Hello'.startswith('He') }}|{{ 'x'.upper() }}|{{ 'aXbX'.replace('X', '-') }}|{{ 'hello world'.title() }}|{{ 'hELLO'.capitalize() }}",
         "x y|['a', 'b', '', 'c']|['a', 'b']|True|X|a-b-|Hello World|Hello"),
        ("{% for m in messages %}{{ loop.index }}/{{ loop.length }}{{ '!' if loop.first }}{{ '.' if loop.last }}{{ loop.revindex0 }} {% endfor %}",
         "1/2!1 2/2.0 "),
        ("{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}",
         "0134"),
        ("{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% set local = i %}{% endfor %}{{ ns.n }}|{{ local is defined }}",
         "3|False"),
        ("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('a') }} {{ greet('b', punct='?') }}",
         "Hi a! Hi b?"),
        ("{% set block %}  inner {{ 1 + 1 }}  {% endset %}[{{ block }}]|{{ block | trim }}",
         "[  inner 2  ]|inner 2"),
        ("{{ 'a\nb\n\nc' | indent(2) }}|{{ 'x' | indent(2, true) }}",
         "a\n  b\n\n  c|  x"),
        ("{{ [3, 1, 2] | sort | list }}|{{ ['b', 'A', 'a'] | unique | list }}|{% for k, v in {'b': 1, 'a': 2} | dictsort %}{{ k }}{{ v }}{% endfor %}|{{ messages | selectattr('role', 'equalto', 'user') | list | length }}",
         "[1, 2, 3]|['b', 'A']|a2b1|1"),
        ("  {% if true %}\n    kept\n  {% endif %}\ntext {#- comment -#}   after\n{{- ' trimmed' }}",
         "    kept\ntextafter trimmed"),
        ("{% for k, v in {'x': 1, 'y': 2}.items() %}{{ k }}={{ v }};{% endfor %}|{{ {'x': 1}.get('y', 'no') }}|{{ [1,2,3] | first }}{{ [1,2,3] | last }}",
         "x=1;y=2;|no|13"),
        ("{{ '%s-%d' % ('a', 3) }}|{{ 3 | string + 'x' }}|{{ '12' | int + 1 }}|{{ 'x' | int }}|{{ 2.7 | int }}|{{ 1 | float }}",
         "a-3|3x|13|0|2|1.0"),
        ("{{ 1 if false }}|{{ 'yes' if 1 > 0 else 'no' }}|{{ not none }}|{{ none or 'fallback' }}|{{ 0 and 1 }}",
         "|yes|True|fallback|0"),
        ("{{ \"'\" }}|{{ ['\"', \"'\", 'a\\nb'] }}|{{ 'tab\\there' }}",
         "'|['\"', \"'\", 'a\\nb']|tab\there"),
    ]

    @Test(arguments: cases)
    func rendersLikeJinja2(_ source: String, _ expected: String) throws {
        let messages: [Value] = [
            .object(["role": .string("system"), "content": .string("S")]),
            .object(["role": .string("user"), "content": .string("Hi")]),
        ]
        let template = try ChatTemplate(source: source)
        var context = OrderedDictionary<String, Value>()
        context["messages"] = .list(messages)
        #expect(try template.render(context: context) == expected)
    }

    @Test func pythonFloatReprMatchesPython() {
        let cases: [(Double, String)] = [(1, "1.0"), (0.1, "0.1"), (1e16, "1e+16"), (1234567890123456.0, "1234567890123456.0"),
                                         (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.5, "-2.5"), (1.5e300, "1.5e+300"), (123.456, "123.456")]
        for (d, text) in cases { #expect(PythonFloat.repr(d) == text) }
    }

    @Test func jsonParsingKeepsKeyOrderAndRoundTrips() throws {
        let text = #"{"z": 1, "a": [true, null, 2.5, "é\n\u00e9\ud83d\ude00"], "m": {}}"#
        let value = try JSON.parse(text)
        #expect(try JSON.dump(value) == #"{"z": 1, "a": [true, null, 2.5, "é\né😀"], "m": {}}"#)
    }

    @Test func compiledTemplatesAreReusedByText() throws {
        let a = try ChatTemplate(source: "{{ 1 }}")
        let b = try ChatTemplate(source: "{{ 1 }}")
        #expect(a.program.first === b.program.first)
    }
}

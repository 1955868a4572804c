"""The templates' context (outputs/render.py CallingContext) calls as Jinja's own does: it only skips
Jinja's failing attribute lookups for plain callables, and still gives the context, the evaluation
context or the environment to whatever asks for it, however it is called."""

from __future__ import annotations

import jinja2
import jinja2.runtime

from safety_bulletins.outputs.labels import CHINESE, ENGLISH
from safety_bulletins.outputs.render import CallingContext, _ENV, template_environment


@jinja2.pass_context
def with_context(context, x):
    return f"context:{context['who']}:{x}"


@jinja2.pass_eval_context
def with_eval_context(eval_ctx, x):
    return f"autoescape:{eval_ctx.autoescape}:{x}"


@jinja2.pass_environment
def with_environment(environment, x):
    return f"environment:{type(environment).__name__}:{x}"


def plain(x, y="-"):
    return f"plain:{x}:{y}"


class Callable:
    def __call__(self, x):
        return f"callable:{x}"


class CallableWithContext:
    @jinja2.pass_context
    def __call__(self, context, x):
        return f"callable-with-context:{context['who']}:{x}"


class Holder:
    def method(self, x):
        return f"method:{x}"

    @jinja2.pass_context
    def method_with_context(self, context, x):
        return f"method-with-context:{context['who']}:{x}"


def stopping():
    raise StopIteration




SOURCE = ("{{ with_context(1) }}|{{ with_eval_context(2) }}|{{ with_environment(3) }}|{{ plain(4) }}|"
          "{{ plain(5, y=6) }}|{{ callable(7) }}|{{ callable_with_context(8) }}|{{ holder.method(9) }}|"
          "{{ holder.method_with_context(10) }}|{{ ', '.join(['a', 'b']) }}|{{ stopping() is undefined }}|"
          "{% for n in [11] %}{{ with_context(n) }}{{ plain(n, y=n) }}{% endfor %}|"
          "{% set x %}{{ with_context(12) }}{% endset %}{{ x }}|{{ marked(13) }}")


def render(context_class) -> str:
    environment = jinja2.Environment(autoescape=True)
    environment.context_class = context_class
    return environment.from_string(SOURCE).render(
        who="me", with_context=with_context, with_eval_context=with_eval_context, with_environment=with_environment,
        plain=plain, callable=Callable(), callable_with_context=CallableWithContext(), holder=Holder(),
        stopping=stopping, marked=_Marked())


class _Marked:
    """An instance marked by its class: Jinja gives it the context."""
    jinja_pass_arg = jinja2.utils._PassArg.context

    def __call__(self, context, x):
        return f"marked:{context['who']}:{x}"


def test_calls_give_what_jinjas_give():
    ours = render(CallingContext)
    assert ours == render(jinja2.runtime.Context)
    # and each callable got what it asked for
    for part in ("context:me:1", "autoescape:True:2", "environment:Environment:3", "plain:4:-", "plain:5:6",
                 "callable:7", "callable-with-context:me:8", "method:9", "method-with-context:me:10", "a, b",
                 "True", "context:me:11plain:11:11", "context:me:12", "marked:me:13"):
        assert part in ours


def test_an_instance_marked_by_itself_gets_the_context():
    environment = jinja2.Environment()
    environment.context_class = CallingContext
    template = environment.from_string("{{ f(1) }}")
    instance = Callable()
    assert template.render(f=instance) == "callable:1"
    instance.jinja_pass_arg = jinja2.utils._PassArg.environment
    marked = type("Marked", (), {"__call__": lambda self, environment, x: f"{type(environment).__name__}:{x}"})()
    marked.jinja_pass_arg = jinja2.utils._PassArg.environment
    assert template.render(f=marked) == "Environment:1"


def test_the_package_templates_and_labels_use_it():
    assert _ENV.context_class is CallingContext
    assert template_environment(autoescape=False).context_class is CallingContext
    # a phrase said without values, asked again, is the same; a missing translation still fails
    assert ENGLISH("Units") == ENGLISH("Units") == "Units"
    assert CHINESE("Unit") == CHINESE("Unit") == "单位"
    try:
        CHINESE("no such phrase, never translated")
    except KeyError:
        pass
    else:
        raise AssertionError("a phrase missing from a translation must fail")

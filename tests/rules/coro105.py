# CORO105 yield-from-in-coroutine: `yield from` inside an `async def` body.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error.

# case: a statement
async def f():
    yield from x  # error: CORO105

# case: an expression
async def f():
    v = yield from x  # error: CORO105

# case: one-line body
async def f(): yield from x  # error: CORO105

# case: a nested def or lambda is a generator of its own
async def f():
    def g():
        yield from x
    return lambda: (yield from x)

# case: in a default value of a lambda, evaluated in the async def
async def f():
    lambda a=(yield from x): a  # error: CORO105

# case: with a return value: CORO106 too
async def f():
    yield from x  # error: CORO105
    return 1  # error: CORO106

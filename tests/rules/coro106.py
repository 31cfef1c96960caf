# CORO106 return-value-in-async-generator: `return` with a value in an asynchronous generator.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error.

# case: after the yield
async def f():
    yield 1
    return 2  # error: CORO106

# case: before the yield
async def f():
    return 2  # error: CORO106
    yield 1

# case: return None is a value too
async def f():
    yield 1
    return None  # error: CORO106

# case: a bare return is fine
async def f():
    yield 1
    return

# case: an unreachable yield still makes a generator
async def f():
    return 1  # error: CORO106
    if 0:
        yield

# case: a yield in a nested def does not count
async def f():
    def g():
        yield 1
    return 1

# case: a yield in an f-string or a default value does
async def f():
    f'{(yield)}'
    lambda a=(yield): a
    return 1  # error: CORO106

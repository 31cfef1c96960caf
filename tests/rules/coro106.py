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

# case: a plain def with an await and a yield: CPython's symbol table marks it a coroutine
def f():
    return 1  # error: CORO106
    await x  # error: CORO101
    yield 2

# case: only the returns compiled before the last await are reported
def f():
    await x  # error: CORO101
    return 1  # error: CORO106
    await y  # error: CORO101
    return 2
    yield

# case: an asynchronous comprehension marks it too, from 3.11
def f():
    return 1  # error: CORO106 (3.11+)
    v = [i async for i in y]  # error: CORO104
    yield

# case: an await in a variable annotation is never compiled, but still marks it
def f():
    v: await x = 1
    return 1  # error: CORO106
    yield

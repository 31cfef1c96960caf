# CORO104 async-comprehension-outside-coroutine: an asynchronous list, set or dict
# comprehension outside an `async def` body.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error.

# case: module level
v = [i async for i in y]  # error: CORO104

# case: module level in top-level-await mode
# top-level-await
v = [i async for i in y]

# case: set and dict comprehensions in a def
def f():
    a = {i async for i in y}  # error: CORO104
    b = {i: j async for i, j in y}  # error: CORO104

# case: an await in the element or a condition makes it asynchronous
def f():
    a = [await i for i in y]  # error: CORO104
    b = [i for i in y if await i]  # error: CORO104

# case: an await in the first iterable is the enclosing scope's
def f():
    return [i for i in await y]  # error: CORO101

# case: async def body
async def f():
    return [i async for i in y]

# case: asynchronous generator expressions are allowed anywhere
def f():
    return (i async for i in y)

# case: reported at the comprehension's first line
def f():
    return [  # error: CORO104
        i
        async for i in y
    ]

# case: nested in another comprehension (from 3.11 the outer one is reported, at its start)
def f():
    return [[i async for i in j] for j in y]  # error: CORO104

# CORO101 await-outside-coroutine: `await` outside a coroutine body.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error.

# case: module level
await x  # error: CORO101

# case: module level in top-level-await mode (a notebook cell, the asyncio REPL)
# top-level-await
await x

# case: def body
def f():
    return await x  # error: CORO101

# case: async def body
async def f():
    return await x

# case: a def nested in an async def is not a coroutine
async def f():
    def g():
        await x  # error: CORO101

# case: lambda body, even inside an async def
async def f():
    return lambda: await x  # error: CORO101

# case: class body inside an async def
async def f():
    class C:
        v = await x  # error: CORO101

# case: default values and decorators belong to the enclosing scope
async def f():
    @g(await d)
    def g(a=await x):
        pass


def h():
    @g(await d)  # error: CORO101
    def g(a=await x):  # error: CORO101
        pass

# case: the first iterable of a comprehension is evaluated in the enclosing scope
def f():
    return (i for i in await x)  # error: CORO101

# case: an await in a generator expression makes it asynchronous, which is allowed anywhere
def f():
    return (await i for i in y)

# case: a local variable annotation is never evaluated
def f():
    v: await x = 1

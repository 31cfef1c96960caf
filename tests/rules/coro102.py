# CORO102 async-for-outside-coroutine: `async for` outside an `async def` body.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error.

# case: module level
async for i in y:  # error: CORO102
    pass

# case: module level in top-level-await mode
# top-level-await
async for i in y:
    pass

# case: def body
def f():
    async for i in y:  # error: CORO102
        pass

# case: async def body
async def f():
    async for i in y:
        pass

# case: class body inside an async def
async def f():
    class C:
        async for i in y:  # error: CORO102
            pass

# case: inside a control-flow block of a def
def f():
    if v:
        while w:
            async for i in y: pass  # error: CORO102

# case: a def nested in an async for body
async def f():
    async for i in y:
        def g():
            async for j in i:  # error: CORO102
                pass

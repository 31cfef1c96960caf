# CORO103 async-with-outside-coroutine: `async with` outside an `async def` body.
# Cases for tests/rules/test_rule_cases.py, each checked against every CPython installed here;
# `# error: CODE` marks each line where CPython reports an error.

# case: module level
async with a:  # error: CORO103
    pass

# case: module level in top-level-await mode
# top-level-await
async with a:
    pass

# case: def body, several items
def f():
    async with a as b, c as d:  # error: CORO103
        pass

# case: async def body
async def f():
    async with a:
        pass

# case: a method
class C:
    def m(self):
        async with self.lock:  # error: CORO103
            pass

# case: nested in an async for, in a def
def f():
    async for i in y:  # error: CORO102
        async with i:  # error: CORO103
            pass

-- coro-ls for Neovim 0.11+: put editors/neovim on 'runtimepath' (or copy this file to
-- ~/.config/nvim/lsp/coro_ls.lua), then call vim.lsp.enable('coro_ls') from init.lua.
-- It attaches beside any other Python server: each enabled config gets its own client.
-- Override any field with vim.lsp.config('coro_ls', { ... }) before enabling it.

---@type vim.lsp.Config
return {
  cmd = { 'coro-ls' },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile', '.git' },
  -- Sent as the `coroLs` section (workspace/configuration, workspace/didChangeConfiguration).
  -- Its keys are those of the VS Code extension's coroLs.* settings, e.g.
  -- targetVersion = '3.10', topLevelAwait = 'auto', select = { 'CORO1' },
  -- severity = { CORO101 = 'warning' }.  A key set here overrides [tool.coro-ls] in the
  -- project's pyproject.toml; leave it out to follow the project.
  settings = {
    coroLs = {},
  },
}

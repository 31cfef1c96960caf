-- Drives a headless Neovim (0.7 or later) through what a user does: open a Python file,
-- wait for coro-ls' diagnostics, run :lua vim.lsp.buf.code_action() on an `async for`,
-- pick the expansion from the menu, :write.  Everything observed goes to a JSON file that
-- tests/editors/test_neovim.py compares with the engine's findings.
--
-- Input comes from the environment (CORO_LS_TEST_*), so one script serves both setups.
local env = vim.env
local result = { notifications = {}, offered_titles = {} }

local function write_result()
  vim.fn.writefile({ vim.fn.json_encode(result) }, env.CORO_LS_TEST_RESULT)
end

-- Messages the user would see (errors from code actions, "No code actions available").
-- Set once the code-action menu is answered with nothing or there is no menu at all.
local nothing_chosen = false
vim.notify = function(msg, level)
  table.insert(result.notifications, { message = tostring(msg), level = level or 0 })
  if tostring(msg):find('No code actions', 1, true) then
    nothing_chosen = true
  end
end

local function clients_of(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(bufnr))
end

local function run()
  local v = vim.version()
  result.version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  result.version_line = vim.split(vim.fn.execute('version'), '\n', { trimempty = true })[1]

  local repo = env.CORO_LS_TEST_REPO
  if env.CORO_LS_TEST_SETUP == 'legacy' then
    dofile(repo .. '/editors/neovim/coro_ls_legacy.lua')
  else
    vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
    vim.lsp.enable('coro_ls')
  end

  vim.cmd('edit ' .. vim.fn.fnameescape(env.CORO_LS_TEST_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype

  if not vim.wait(20000, function()
    return #clients_of(bufnr) > 0 and clients_of(bufnr)[1].initialized ~= false
  end, 50) then
    error('no LSP client attached to the buffer')
  end
  local client = clients_of(bufnr)[1]
  result.client_name = client.name
  result.offset_encoding = client.offset_encoding
  result.root_dir = client.config.root_dir

  local expected = tonumber(env.CORO_LS_TEST_DIAGNOSTIC_COUNT)
  vim.wait(20000, function()
    return #vim.diagnostic.get(bufnr) >= expected
  end, 50)
  -- A server that sends more than expected must be seen doing it.
  vim.wait(500)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      code = d.code,
      message = d.message,
      source = d.source,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
    })
  end

  return bufnr
end

-- :lua vim.lsp.buf.code_action() with the cursor on the `async for`, then :write.
local function run_action(bufnr)
  -- The menu vim.lsp.buf.code_action() opens: pick the wanted title, as a user would.
  local wanted = env.CORO_LS_TEST_ACTION_TITLE
  local chose = false
  vim.ui.select = function(items, opts, on_choice)
    local pick
    for _, item in ipairs(items) do
      local action = item.action or item[2]
      local title = opts.format_item and opts.format_item(item) or action.title
      table.insert(result.offered_titles, title)
      if action.title == wanted then
        pick = item
      end
    end
    chose = pick ~= nil
    nothing_chosen = not chose
    on_choice(pick)
  end

  local tick = vim.api.nvim_buf_get_changedtick(bufnr)
  vim.api.nvim_win_set_cursor(0, {
    tonumber(env.CORO_LS_TEST_CURSOR_LINE),
    tonumber(env.CORO_LS_TEST_CURSOR_COL),
  })
  vim.lsp.buf.code_action()
  result.applied = vim.wait(20000, function()
    return nothing_chosen or vim.api.nvim_buf_get_changedtick(bufnr) ~= tick
  end, 50) and not nothing_chosen
  result.chose = chose
  vim.cmd('write')
end

local ok, bufnr = xpcall(run, debug.traceback)
if not ok then
  result.error = tostring(bufnr)
else
  local done, err = xpcall(run_action, debug.traceback, bufnr)
  if not done then
    result.action_error = tostring(err)
  end
end
write_result()
vim.cmd('qall!')

-- Drives a headless Neovim (0.7 or later) through what a user does: open a Python file with
-- coro-ls and another Python server configured, wait for the diagnostics, run
-- :lua vim.lsp.buf.code_action() on an `async for`, pick the expansion from the menu, :write.
-- Everything observed goes to a JSON file that tests/editors/test_neovim.py compares with the
-- engine's findings.  Then it opens a file whose error depends on coro-ls' targetVersion; with
-- CORO_LS_TEST_TARGET_VERSION, the configuration sets that, and that file is all it opens.
--
-- Input comes from the environment (CORO_LS_TEST_*), so one script serves both setups.
local env = vim.env
local result = { notifications = {}, offered_titles = {}, seconds = {} }
local started = vim.loop.hrtime()

local function mark(phase)
  result.seconds[phase] = (vim.loop.hrtime() - started) / 1e9
end

local function write_result()
  vim.fn.writefile({ vim.fn.json_encode(result) }, env.CORO_LS_TEST_RESULT)
end

-- Set once the code-action menu is answered with nothing or there is no menu at all.
local nothing_chosen = false

-- Messages the user would see (errors from code actions, "No code actions available").
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

local function client_named(bufnr, name)
  for _, client in ipairs(clients_of(bufnr)) do
    if client.name == name and client.initialized ~= false then
      return client
    end
  end
end

local function diagnostics_of(bufnr)
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(seen, {
      code = d.code,
      message = d.message,
      source = d.source,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
    })
  end
  return seen
end

-- How the user sets coroLs.targetVersion in each setup (none when the variable is unset).
local target = env.CORO_LS_TEST_TARGET_VERSION
local settings = target and { coroLs = { targetVersion = target } }

local function configure()
  result.setup = env.CORO_LS_TEST_SETUP
  result.home = env.HOME
  local v = vim.version()
  result.version = string.format('%d.%d.%d', v.major, v.minor, v.patch)
  result.version_line = vim.split(vim.fn.execute('version'), '\n', { trimempty = true })[1]

  local repo = env.CORO_LS_TEST_REPO
  -- The user's other Python server, configured the usual way for each Neovim.
  local other_cmd = { env.CORO_LS_TEST_OTHER_PYTHON, env.CORO_LS_TEST_OTHER_SCRIPT }
  if env.CORO_LS_TEST_SETUP == 'legacy' then
    local coro_ls = dofile(repo .. '/editors/neovim/coro_ls_legacy.lua')
    if settings then
      coro_ls.settings = settings
    end
    local other
    vim.api.nvim_create_autocmd('FileType', {
      pattern = 'python',
      callback = function(args)
        other = other or vim.lsp.start_client({ name = 'other', cmd = other_cmd })
        vim.lsp.buf_attach_client(args.buf, other)
      end,
    })
  else
    if env.CORO_LS_TEST_SETUP == 'package' then
      -- Installed as a plugin manager installs it (pack/*/start/), and enabled from the
      -- user's init.lua, which ran before this script: nothing to add to 'runtimepath'.
      result.enabled_by_init = vim.lsp.is_enabled('coro_ls')
    else
      -- What lazy.nvim does with a local plugin (`dir = ...`) before its `config` runs.
      vim.opt.runtimepath:prepend(repo .. '/editors/neovim')
      vim.lsp.enable('coro_ls')
    end
    result.config_files = vim.api.nvim_get_runtime_file('lsp/coro_ls.lua', true)
    if settings then
      vim.lsp.config('coro_ls', { settings = settings })
    end
    vim.lsp.config('other', { cmd = other_cmd, filetypes = { 'python' } })
    vim.lsp.enable('other')
  end
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(env.CORO_LS_TEST_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  result.filetype = vim.bo[bufnr].filetype

  if not vim.wait(60000, function()
    return client_named(bufnr, 'coro_ls') and client_named(bufnr, 'other')
  end, 50) then
    error('coro_ls and the other server did not both attach to the buffer')
  end
  mark('attached')
  local client = client_named(bufnr, 'coro_ls')
  result.client_name = client.name
  result.offset_encoding = client.offset_encoding
  result.root_dir = client.config.root_dir

  local expected = tonumber(env.CORO_LS_TEST_DIAGNOSTIC_COUNT)
  local other_source = env.CORO_LS_TEST_OTHER_SOURCE
  vim.wait(60000, function()
    local ours, others = 0, 0
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.source == other_source then
        others = others + 1
      else
        ours = ours + 1
      end
    end
    return ours >= expected and others > 0
  end, 50)
  mark('diagnostics')
  -- A server that sends more than expected must be seen doing it.
  vim.wait(500)
  result.diagnostics = diagnostics_of(bufnr)

  return bufnr
end

-- :lua vim.lsp.buf.code_action() with the cursor on the `async for`, then :write.
local function run_action(bufnr)
  local client
  for _, c in ipairs(clients_of(bufnr)) do
    if c.name == 'coro_ls' then
      client = c
    end
  end
  if not (client.server_capabilities or {}).codeActionProvider then
    -- Neovim would only log this, and the wait below would run out.
    error('the server offers no code actions')
  end
  -- The menu vim.lsp.buf.code_action() opens: pick the wanted title, as a user would.
  local wanted = env.CORO_LS_TEST_ACTION_TITLE
  local chose = false
  vim.ui.select = function(items, _, on_choice)
    local pick
    for _, item in ipairs(items) do
      local action = item.action or item[2]
      -- The menu's label adds the client's name when several servers answer.
      table.insert(result.offered_titles, action.title)
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
  mark('code_action')
  vim.cmd('write')
end

-- Open the file only targetVersion makes wrong and read what coro-ls shows once it surely
-- checked it.
local function run_setting_file()
  vim.cmd('edit ' .. vim.fn.fnameescape(env.CORO_LS_TEST_SETTING_FILE))
  local bufnr = vim.api.nvim_get_current_buf()
  if not vim.wait(60000, function()
    return client_named(bufnr, 'coro_ls')
  end, 50) then
    error('coro_ls did not attach to ' .. env.CORO_LS_TEST_SETTING_FILE)
  end
  -- The server handles messages in order: once it answered a hover on this file, the
  -- diagnostics it published for it, or was asked for, are on their way or in.
  vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 0, character = 0 },
  }, 20000)
  local expected = tonumber(env.CORO_LS_TEST_SETTING_COUNT)
  vim.wait(20000, function()
    return #diagnostics_of(bufnr) >= expected
  end, 50)
  vim.wait(500)
  result.setting_diagnostics = diagnostics_of(bufnr)
  mark('setting_file')
end

local ok, err = xpcall(configure, debug.traceback)
if not ok then
  result.error = tostring(err)
elseif not target then
  local bufnr
  ok, bufnr = xpcall(run, debug.traceback)
  if not ok then
    result.error = tostring(bufnr)
  else
    local done, action_err = xpcall(run_action, debug.traceback, bufnr)
    if not done then
      result.action_error = tostring(action_err)
    end
  end
end
if ok then
  local done, setting_err = xpcall(run_setting_file, debug.traceback)
  if not done then
    result.setting_error = tostring(setting_err)
  end
end
write_result()
vim.cmd('qall!')

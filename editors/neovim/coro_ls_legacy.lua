-- coro-ls for Neovim 0.7 to 0.10 (0.11+ should use lsp/coro_ls.lua and vim.lsp.enable).
-- Load it with dofile('/path/to/editors/neovim/coro_ls_legacy.lua'), which returns the table
-- below: settings set on it before a Python file opens are used, e.g.
--   dofile('/path/to/editors/neovim/coro_ls_legacy.lua').settings.coroLs.targetVersion = '3.10'
-- Or paste it into init.lua without its last line (Lua allows `return` only at a block's end)
-- and edit its `settings` line.
-- One coro-ls client per project root, attached to every Python buffer in it; servers started
-- elsewhere (nvim-lspconfig's pyright, pylsp, ...) are separate clients and keep working.
local coro_ls = {
  cmd = { 'coro-ls' },
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', 'Pipfile', '.git' },
  settings = { coroLs = {} }, -- same keys as lsp/coro_ls.lua, e.g. { targetVersion = '3.10' }
  clients = {}, -- root directory -> client id
}

-- vim.fs arrived in 0.8, so the root is found with findfile()/finddir(), searching upwards.
local function root_dir(bufnr)
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':p:h')
  for _, marker in ipairs(coro_ls.root_markers) do
    local file = vim.fn.findfile(marker, dir .. ';')
    if file ~= '' then
      return vim.fn.fnamemodify(file, ':p:h')
    end
    local found = vim.fn.finddir(marker, dir .. ';')
    if found ~= '' then
      return vim.fn.fnamemodify(found, ':p:h:h')
    end
  end
  return dir
end

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('coro_ls', { clear = true }),
  pattern = 'python',
  callback = function(args)
    if vim.api.nvim_buf_get_option(args.buf, 'buftype') ~= '' then
      return
    end
    local root = root_dir(args.buf)
    local id = coro_ls.clients[root]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client({
        name = 'coro_ls',
        cmd = coro_ls.cmd,
        root_dir = root,
        settings = coro_ls.settings,
        on_init = function(client)
          client.notify('workspace/didChangeConfiguration', { settings = client.config.settings })
        end,
      })
      coro_ls.clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})

return coro_ls

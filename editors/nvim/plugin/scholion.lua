-- User commands for the Scholion language server. They only need `vim.lsp.enable("scholion")`
-- (or `require("scholion").setup()`), see lua/scholion/init.lua.
if vim.g.loaded_scholion then
  return
end
vim.g.loaded_scholion = true
require("scholion").create_commands()

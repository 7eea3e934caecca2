-- Client configuration for the Scholion language server (Neovim 0.11+ `lsp/<name>.lua` convention).
--
-- With this directory on 'runtimepath', a user only writes:
--     vim.lsp.enable("scholion")
-- Override the command with `vim.g.scholion_cmd` (a path to the binary, or a full argv list) set
-- before the first text buffer opens, or with `require("scholion").setup({ cmd = ... })`, or with
-- `vim.lsp.config("scholion", { ... })` for anything else.

local function default_cmd()
  local c = vim.g.scholion_cmd
  if type(c) == "string" and c ~= "" then
    return { vim.fn.expand(c), "lsp" }
  elseif type(c) == "table" and #c > 0 then
    return vim.deepcopy(c)
  end
  return { "scholion", "lsp" }
end

---@type vim.lsp.Config
return {
  cmd = default_cmd(),
  filetypes = { "text" },
  root_markers = { ".scholion", ".git" },
  -- vim.empty_dict() so the section goes out as `{}`, not `[]`.
  settings = { scholion = vim.empty_dict() },
  -- Send the `scholion` settings section as initializationOptions too, the same shape the VS Code
  -- extension sends, so the server can read its configuration before `workspace/configuration`.
  before_init = function(params, config)
    if params.initializationOptions == nil then
      local section = vim.tbl_get(config, "settings", "scholion")
      if type(section) ~= "table" or next(section) == nil then
        section = vim.empty_dict()
      end
      params.initializationOptions = section
    end
  end,
}

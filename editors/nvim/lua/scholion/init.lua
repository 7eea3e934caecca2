-- Scholion for Neovim 0.11+: optional setup() and the :ScholionReflow / :ScholionAcronyms commands.
--
-- The client configuration itself lives in lsp/scholion.lua; `vim.lsp.enable("scholion")` is enough
-- to get diagnostics, hover, go-to-definition and code actions. setup() is a convenience for
-- changing the command, file types, root markers or settings and enabling the server in one call.

local M = {}

M.REFLOW_TITLE = "Reflow page into reading order"
M.REFLOW_KIND = "refactor.rewrite"

local function notify(msg, level)
  vim.notify("Scholion: " .. msg, level or vim.log.levels.INFO)
end

--- Normalises a user-given command: a string is the path of the binary, a list is the full argv.
---@param cmd string|string[]|nil
---@return string[]|nil
function M.normalize_cmd(cmd)
  if type(cmd) == "string" and cmd ~= "" then
    return { vim.fn.expand(cmd), "lsp" }
  elseif type(cmd) == "table" and #cmd > 0 then
    return vim.deepcopy(cmd)
  end
  return nil
end

---@class scholion.SetupOpts
---@field cmd? string|string[]   path of the `scholion` binary, or the full command (default { "scholion", "lsp" })
---@field filetypes? string[]     file types to attach to (default { "text" })
---@field root_markers? string[]  (default { ".scholion", ".git" })
---@field settings? table         the `scholion` settings section, e.g. { rules = { ["garbled-character"] = { severity = "error" } } }
---@field enable? boolean         call vim.lsp.enable("scholion") (default true)

---@param opts? scholion.SetupOpts
function M.setup(opts)
  opts = opts or {}
  local cfg = {}
  local cmd = M.normalize_cmd(opts.cmd)
  if cmd then
    cfg.cmd = cmd
  end
  if opts.filetypes then
    cfg.filetypes = opts.filetypes
  end
  if opts.root_markers then
    cfg.root_markers = opts.root_markers
  end
  if opts.settings then
    -- Accept both { scholion = {...} } and the bare section.
    local section = opts.settings.scholion or opts.settings
    if next(section) == nil then
      section = vim.empty_dict() -- encode as `{}`, not `[]`
    end
    cfg.settings = { scholion = section }
  end
  vim.lsp.config("scholion", cfg)
  M.create_commands()
  if opts.enable ~= false then
    vim.lsp.enable("scholion")
  end
end

---@param bufnr integer
---@return vim.lsp.Client|nil
function M.get_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = "scholion" })[1]
end

--- The scholion binary: the running client's, else the configured one, else `scholion` on PATH.
---@param bufnr? integer
---@return string
function M.binary(bufnr)
  local client = M.get_client(bufnr or 0)
  if client and type(client.config.cmd) == "table" and client.config.cmd[1] then
    return client.config.cmd[1]
  end
  local ok, cfg = pcall(function()
    return vim.lsp.config.scholion
  end)
  if ok and cfg and type(cfg.cmd) == "table" and cfg.cmd[1] then
    return cfg.cmd[1]
  end
  return M.normalize_cmd(vim.g.scholion_cmd) and M.normalize_cmd(vim.g.scholion_cmd)[1] or "scholion"
end

local function apply_action(client, action, bufnr, on_done)
  local function finish(a)
    if a.edit then
      vim.lsp.util.apply_workspace_edit(a.edit, client.offset_encoding)
    end
    local command = type(a.command) == "table" and a.command or nil
    if command then
      client:exec_cmd(command, { bufnr = bufnr }, function()
        if on_done then
          on_done(true)
        end
      end)
    elseif on_done then
      on_done(true)
    end
  end
  local can_resolve = vim.tbl_get(client.server_capabilities, "codeActionProvider", "resolveProvider")
  if not action.edit and not action.command and can_resolve then
    client:request("codeAction/resolve", action, function(err, resolved)
      if err or not resolved then
        notify("could not resolve the reflow action: " .. (err and err.message or "no result"), vim.log.levels.ERROR)
        if on_done then
          on_done(false)
        end
        return
      end
      finish(resolved)
    end, bufnr)
  else
    finish(action)
  end
end

--- Reflows the page under the cursor: asks the server for its `refactor.rewrite` code action
--- "Reflow page into reading order" at the cursor and applies it.
---@param opts? { bufnr?: integer, on_done?: fun(applied: boolean) }
function M.reflow(opts)
  opts = opts or {}
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local on_done = opts.on_done
  local client = M.get_client(bufnr)
  if not client then
    notify("no scholion language server is attached to this buffer", vim.log.levels.ERROR)
    if on_done then
      on_done(false)
    end
    return
  end
  local win = vim.api.nvim_get_current_win()
  local params = vim.lsp.util.make_range_params(win, client.offset_encoding)
  params.context = {
    diagnostics = {},
    only = { M.REFLOW_KIND },
    triggerKind = 1, -- Invoked
  }
  client:request("textDocument/codeAction", params, function(err, result)
    if err then
      notify("code action request failed: " .. tostring(err.message), vim.log.levels.ERROR)
      if on_done then
        on_done(false)
      end
      return
    end
    local chosen
    for _, a in ipairs(result or {}) do
      local kind = a.kind or ""
      if a.title == M.REFLOW_TITLE and (kind == "" or vim.startswith(kind, M.REFLOW_KIND)) then
        chosen = a
        break
      end
    end
    if not chosen then
      notify(
        ("the server offers no %q action here (%d other action(s))"):format(M.REFLOW_TITLE, #(result or {})),
        vim.log.levels.WARN
      )
      if on_done then
        on_done(false)
      end
      return
    end
    apply_action(client, chosen, bufnr, on_done)
  end, bufnr)
end

--- Decodes the output of `scholion acronyms --format json`: one JSON document, or JSON Lines (one
--- object per line).
---@param text string
---@return any
function M.decode_json_or_lines(text)
  local opts = { luanil = { object = true, array = true } }
  local ok, decoded = pcall(vim.json.decode, text, opts)
  if ok then
    return decoded
  end
  local list = {}
  for line in vim.gsplit(text, "\n", { plain = true, trimempty = true }) do
    if vim.trim(line) ~= "" then
      table.insert(list, vim.json.decode(line, opts)) -- raises on bad JSON
    end
  end
  return list
end

--- Turns the entries printed by `scholion acronyms <file> --format json` into a list of
--- { acronym, expansion, filename?, lnum?, col?, source?, uses? }. Accepts a list of entries, or an
--- object holding one under `acronyms`, `items` or `entries`, or an object mapping acronym →
--- expansion. The definition's place may be `defined_at = "path:line"` or a location object.
---@param decoded any
---@param default_file string
---@return table[]
function M.normalize_acronyms(decoded, default_file)
  local list = decoded
  if type(decoded) == "table" and not vim.islist(decoded) then
    list = decoded.acronyms or decoded.items or decoded.entries or decoded.definitions
    if list == nil then
      list = {}
      for k, v in pairs(decoded) do
        table.insert(list, { acronym = k, expansion = v })
      end
      table.sort(list, function(a, b)
        return a.acronym < b.acronym
      end)
    end
  end
  if type(list) ~= "table" then
    return {}
  end
  local out = {}
  local function first(t, keys)
    for _, k in ipairs(keys) do
      local v = t[k]
      if v ~= nil and v ~= vim.NIL then
        return v
      end
    end
  end
  for _, e in ipairs(list) do
    if type(e) == "table" then
      local item = {
        acronym = first(e, { "acronym", "short", "abbreviation", "abbr", "term", "name" }),
        expansion = first(e, { "expansion", "long", "long_form", "longForm", "definition", "meaning" }),
      }
      if type(item.expansion) == "table" then
        item.expansion = table.concat(vim.tbl_map(tostring, item.expansion), " | ")
      end
      local loc = first(e, { "location", "definition_location", "defined_at" })
      if type(loc) == "string" then
        -- "path:line" or "path:line:column", 1-based.
        local f, l, c = loc:match("^(.*):(%d+):(%d+)$")
        if not f then
          f, l = loc:match("^(.*):(%d+)$")
        end
        loc = f and { file = f, line = tonumber(l), column = tonumber(c) } or { file = loc }
      end
      loc = type(loc) == "table" and loc or e
      local file = first(loc, { "file", "path" })
      local uri = first(loc, { "uri" })
      if not file and type(uri) == "string" then
        file = vim.uri_to_fname(uri)
      end
      local range = first(loc, { "range" })
      if type(range) == "table" and type(range.start) == "table" then
        -- LSP style: 0-based line and character.
        item.lnum = (range.start.line or 0) + 1
        item.col = (range.start.character or 0) + 1
      else
        -- Command-line style: 1-based line and column.
        local line = first(loc, { "line", "lnum" })
        if type(line) == "number" then
          item.lnum = line
          local col = first(loc, { "column", "col" })
          item.col = type(col) == "number" and col or 1
        end
      end
      if item.lnum then
        item.filename = type(file) == "string" and file or default_file
      end
      local source, uses = first(e, { "source" }), first(e, { "uses", "count" })
      item.source = type(source) == "string" and source or nil
      item.uses = type(uses) == "number" and uses or nil
      item.acronym = item.acronym ~= nil and tostring(item.acronym) or "?"
      item.expansion = item.expansion ~= nil and tostring(item.expansion) or ""
      table.insert(out, item)
    end
  end
  return out
end

local function show_acronyms(items, file)
  local lines = { ("Acronyms in %s (%d)"):format(vim.fn.fnamemodify(file, ":~:."), #items), "" }
  local width = 0
  for _, it in ipairs(items) do
    width = math.max(width, vim.fn.strdisplaywidth(it.acronym))
  end
  for _, it in ipairs(items) do
    local notes = {}
    if it.lnum then
      table.insert(notes, ("%s:%d"):format(vim.fn.fnamemodify(it.filename, ":t"), it.lnum))
    end
    if it.source then
      table.insert(notes, it.source)
    end
    if it.uses then
      table.insert(notes, ("%d use%s"):format(it.uses, it.uses == 1 and "" or "s"))
    end
    local where = #notes > 0 and ("  (" .. table.concat(notes, ", ") .. ")") or ""
    local pad = string.rep(" ", width - vim.fn.strdisplaywidth(it.acronym))
    table.insert(lines, it.acronym .. pad .. "  " .. it.expansion .. where)
  end
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, "scholion://acronyms/" .. vim.fn.fnamemodify(file, ":t"))
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = "scholion-acronyms"

  local qf = {}
  for _, it in ipairs(items) do
    if it.lnum then
      table.insert(qf, { filename = it.filename, lnum = it.lnum, col = it.col or 1, text = it.acronym .. ": " .. it.expansion })
    end
  end
  if #qf > 0 then
    vim.fn.setqflist({}, " ", { title = "Scholion acronyms", items = qf })
  end
  return buf
end

--- Runs `scholion acronyms <file> --format json` and shows the result in a scratch buffer (and the
--- quickfix list, for entries that carry a location).
---@param opts? { file?: string, on_done?: fun(ok: boolean, items?: table[], buf?: integer) }
function M.acronyms(opts)
  opts = opts or {}
  local file = opts.file and opts.file ~= "" and vim.fn.fnamemodify(opts.file, ":p") or vim.api.nvim_buf_get_name(0)
  local on_done = opts.on_done or function() end
  if file == "" then
    notify("this buffer has no file name", vim.log.levels.ERROR)
    return on_done(false)
  end
  local bin = M.binary(0)
  local argv = { bin, "acronyms", file, "--format", "json" }
  local ok, err = pcall(vim.system, argv, { text = true }, function(res)
    vim.schedule(function()
      if res.code ~= 0 then
        notify(("`%s` failed (exit %d): %s"):format(table.concat(argv, " "), res.code, vim.trim(res.stderr or "")), vim.log.levels.ERROR)
        return on_done(false)
      end
      local okj, decoded = pcall(M.decode_json_or_lines, res.stdout or "")
      if not okj then
        notify("could not parse the JSON from `scholion acronyms`: " .. tostring(decoded), vim.log.levels.ERROR)
        return on_done(false)
      end
      local items = M.normalize_acronyms(decoded, file)
      local buf = show_acronyms(items, file)
      on_done(true, items, buf)
    end)
  end)
  if not ok then
    notify(("could not run %q: %s"):format(bin, tostring(err)), vim.log.levels.ERROR)
    on_done(false)
  end
end

function M.create_commands()
  vim.api.nvim_create_user_command("ScholionReflow", function()
    M.reflow()
  end, { desc = "Scholion: reflow the page under the cursor into reading order" })
  vim.api.nvim_create_user_command("ScholionAcronyms", function(a)
    M.acronyms({ file = a.args })
  end, { nargs = "?", complete = "file", desc = "Scholion: list the acronyms of this file" })
end

return M

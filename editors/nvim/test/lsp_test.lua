-- Headless end-to-end test of the Scholion Neovim integration against the real `scholion` binary.
-- Run through test/run.sh, which sets up Neovim 0.11, PATH, XDG dirs and a workspace copy of the seeds:
--   nvim --headless --clean --cmd "set rtp^=editors/nvim" -l editors/nvim/test/lsp_test.lua
-- Env: SCHOLION_TEST_WS = workspace root holding seeds/*.txt (default: the current directory).
-- Any failure exits non-zero; nothing is skipped.

local WS = os.getenv("SCHOLION_TEST_WS") or vim.fn.getcwd()
local TIMEOUT = tonumber(os.getenv("SCHOLION_TEST_TIMEOUT_MS") or "") or 15000
local SEED = WS .. "/seeds/003_6e6cbfc847bdfa0c.txt"
local DEF_SEED = "000_9189eb5902b93f6a.txt"
local EXPANSION = "Militaire Inlichtingen- en Veiligheidsdienst"

local passed, failed = 0, 0
local notifications = {}
vim.notify = function(msg, level)
  table.insert(notifications, { msg = tostring(msg), level = level })
  io.stdout:write(("       [notify %s] %s\n"):format(tostring(level), tostring(msg)))
end

-- A headless run has no one to answer a prompt (and Neovim may exit on EOF): record any and refuse.
local prompts = {}
vim.ui.select = function(items, opts, on_choice)
  local labels = {}
  for _, it in ipairs(items) do
    local fmt = opts and opts.format_item
    table.insert(labels, fmt and fmt(it) or vim.inspect(it))
  end
  table.insert(prompts, ((opts and opts.prompt) or "select") .. ": " .. table.concat(labels, " | "))
  on_choice(nil, nil)
end
vim.ui.input = function(opts, on_confirm)
  table.insert(prompts, "input: " .. tostring(opts and opts.prompt))
  on_confirm(nil)
end

local function say(s)
  io.stdout:write(s .. "\n")
  io.stdout:flush()
end

local function lsp_log_tail(n)
  local path = vim.lsp.get_log_path()
  local f = io.open(path, "r")
  if not f then
    return "(no LSP log at " .. path .. ")"
  end
  local lines = {}
  for l in f:lines() do
    table.insert(lines, l)
  end
  f:close()
  local from = math.max(1, #lines - (n or 25) + 1)
  return table.concat(vim.list_slice(lines, from), "\n")
end

local function check(name, fn)
  local ok, err = xpcall(fn, function(e)
    -- fail() raises { msg = ... }: show just the message; anything else is a bug in the test.
    if type(e) == "table" and e.msg then
      return e.msg
    end
    return debug.traceback(e)
  end)
  if ok then
    passed = passed + 1
    say("ok   - " .. name)
  else
    failed = failed + 1
    say("FAIL - " .. name .. "\n       " .. tostring(err):gsub("\n", "\n       "))
  end
  return ok
end

local function finish()
  say(("%d passed, %d failed"):format(passed, failed))
  -- run.sh treats a run without this file as failed (e.g. Neovim quit half-way).
  local result_file = os.getenv("SCHOLION_TEST_RESULT")
  if result_file then
    local f = assert(io.open(result_file, "w"))
    f:write(("%d passed, %d failed\n"):format(passed, failed))
    f:close()
  end
  if failed > 0 then
    say("---- tail of " .. vim.lsp.get_log_path() .. " ----\n" .. lsp_log_tail(40))
  end
  io.stdout:flush()
  os.exit(failed == 0 and 0 or 1)
end

local function fail(msg)
  error({ msg = msg })
end

--- 1-based line `lnum` of the buffer, and the 0-based byte column of `needle` in it.
local function find_in_line(bufnr, lnum, needle)
  local line = vim.api.nvim_buf_get_lines(bufnr, lnum - 1, lnum, false)[1] or ""
  local s = line:find(needle, 1, true)
  if not s then
    fail(("%q not found in line %d: %q"):format(needle, lnum, line))
  end
  return s - 1, line
end

local function request(client, bufnr, method, params)
  local res, err = client:request_sync(method, params, TIMEOUT, bufnr)
  if not res then
    fail(("%s: no response within %d ms (%s)"):format(method, TIMEOUT, tostring(err)))
  end
  if res.err then
    fail(("%s: server answered with error %s"):format(method, vim.inspect(res.err)))
  end
  return res.result
end

local function hover_text(result)
  if result == nil then
    return nil
  end
  local c = result.contents
  local parts = {}
  local function add(x)
    if type(x) == "string" then
      table.insert(parts, x)
    elseif type(x) == "table" and x.value then
      table.insert(parts, x.value)
    end
  end
  if vim.islist(c) then
    for _, x in ipairs(c) do
      add(x)
    end
  else
    add(c)
  end
  return table.concat(parts, "\n")
end

local function locations(result)
  if result == nil then
    return {}
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  local out = {}
  for _, l in ipairs(result) do
    table.insert(out, { uri = l.uri or l.targetUri, range = l.range or l.targetSelectionRange or l.targetRange })
  end
  return out
end

-- ---------------------------------------------------------------------------------------------
say("Neovim " .. tostring(vim.version()) .. "; workspace " .. WS)
say("scholion on PATH: " .. (vim.fn.exepath("scholion") ~= "" and vim.fn.exepath("scholion") or "(none)"))
if vim.fn.filereadable(SEED) == 0 then
  check("seed file exists", function()
    fail("missing " .. SEED)
  end)
  finish()
end

vim.lsp.enable("scholion")
vim.cmd.edit(vim.fn.fnameescape(SEED))
local bufnr = vim.api.nvim_get_current_buf()
local client

local started = check("client starts and initializes (vim.lsp.enable only)", function()
  if vim.bo[bufnr].filetype ~= "text" then
    fail("filetype of the seed is " .. vim.bo[bufnr].filetype .. ", expected text")
  end
  if vim.fn.exists(":ScholionReflow") ~= 2 or vim.fn.exists(":ScholionAcronyms") ~= 2 then
    fail("user commands :ScholionReflow/:ScholionAcronyms are not defined (plugin/scholion.lua not loaded?)")
  end
  local ok = vim.wait(TIMEOUT, function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = "scholion" })[1]
    return client ~= nil and (client.initialized or client:is_stopped())
  end, 50)
  if not client then
    local msgs = vim.tbl_map(function(n)
      return n.msg
    end, notifications)
    fail(("no scholion client attached to the buffer (cmd = %s)%s"):format(
      table.concat(vim.lsp.config.scholion.cmd, " "),
      #msgs > 0 and ("; " .. table.concat(msgs, " | ")) or ""
    ))
  end
  if not ok or client:is_stopped() or not client.initialized then
    fail(("the server did not complete initialize (stopped=%s); is `%s` a working language server?"):format(
      tostring(client:is_stopped()),
      table.concat(client.config.cmd, " ")
    ))
  end
  say(("       server %s, root %s, encoding %s"):format(
    vim.inspect(client.server_info, { newline = " ", indent = "" }),
    tostring(client.root_dir),
    client.offset_encoding
  ))
  -- Give the server a moment to die if it is going to, so a crash is reported here.
  vim.wait(300, function()
    return client:is_stopped()
  end, 50)
  if client:is_stopped() then
    fail("the server exited right after initialize")
  end
end)
if not started then
  finish()
end

check("hover on MIVD (line 2) shows the expansion", function()
  local col = find_in_line(bufnr, 2, "MIVD")
  vim.api.nvim_win_set_cursor(0, { 2, col + 1 })
  if not client.server_capabilities.hoverProvider then
    fail("server does not advertise hoverProvider")
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local result = request(client, bufnr, "textDocument/hover", params)
  local text = hover_text(result)
  if not text then
    fail("textDocument/hover returned null at line 2 col " .. col)
  end
  if not text:find(EXPANSION, 1, true) then
    fail(("hover text does not contain %q; got %q"):format(EXPANSION, text))
  end
  -- And through the user-facing path: vim.lsp.buf.hover() (K) opens a float showing it.
  vim.lsp.buf.hover()
  local shown
  vim.wait(TIMEOUT, function()
    for _, win in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(win).relative ~= "" then
        local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
        if table.concat(lines, "\n"):find(EXPANSION, 1, true) then
          shown = win
          return true
        end
      end
    end
    return false
  end, 50)
  if not shown then
    fail("vim.lsp.buf.hover() showed no floating window with the expansion")
  end
  vim.api.nvim_win_close(shown, true)
end)

check("go to definition on MIVD lands in seed 000", function()
  local col = find_in_line(bufnr, 2, "MIVD")
  vim.api.nvim_win_set_cursor(0, { 2, col + 1 })
  if not client.server_capabilities.definitionProvider then
    fail("server does not advertise definitionProvider")
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local locs = locations(request(client, bufnr, "textDocument/definition", params))
  if #locs == 0 then
    fail("textDocument/definition returned no location")
  end
  local hit
  for _, l in ipairs(locs) do
    if vim.endswith(l.uri, DEF_SEED) then
      hit = l
    end
  end
  if not hit then
    fail("no definition location in " .. DEF_SEED .. "; got " .. vim.inspect(locs))
  end
  -- And through the user-facing path: vim.lsp.buf.definition() jumps there.
  vim.lsp.buf.definition()
  local jumped = vim.wait(TIMEOUT, function()
    return vim.endswith(vim.api.nvim_buf_get_name(0), DEF_SEED)
  end, 50)
  local here = vim.api.nvim_buf_get_name(0)
  local cursor = vim.api.nvim_win_get_cursor(0)
  vim.cmd.buffer(bufnr)
  if not jumped then
    fail("vim.lsp.buf.definition() did not jump to " .. DEF_SEED .. " (current buffer " .. here .. ")")
  end
  local line = vim.fn.getbufline(vim.fn.bufnr(here), cursor[1])[1] or ""
  say(("       jumped to %s:%d:%d: %s"):format(vim.fn.fnamemodify(here, ":t"), cursor[1], cursor[2] + 1, vim.trim(line)))
end)

check("garbled-character diagnostic on line 8 and its quick fix repairs Oekraïne", function()
  local diag
  vim.wait(TIMEOUT, function()
    for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = 7 })) do
      if d.code == "garbled-character" then
        diag = d
        return true
      end
    end
    return false
  end, 50)
  if not diag then
    local all, on8 = vim.diagnostic.get(bufnr), {}
    for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = 7 })) do
      table.insert(on8, ("[%s] %s"):format(tostring(d.code), d.message))
    end
    fail(("no diagnostic with code garbled-character on line 8 within %d ms; %d diagnostic(s) in the file, on line 8: %s"):format(
      TIMEOUT,
      #all,
      #on8 > 0 and table.concat(on8, "; ") or "none"
    ))
  end
  say(("       diagnostic: %s (col %d-%d)"):format(diag.message, diag.col + 1, diag.end_col + 1))
  -- Ask the way Neovim does (cursor on the diagnostic), print what came back, then apply through
  -- vim.lsp.buf.code_action({ apply = true }) as a user would.
  vim.api.nvim_win_set_cursor(0, { diag.lnum + 1, diag.col })
  local lsp_diag = vim.tbl_get(diag, "user_data", "lsp") or {}
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  params.context = { diagnostics = { lsp_diag }, only = { "quickfix" }, triggerKind = 1 }
  local actions = request(client, bufnr, "textDocument/codeAction", params) or {}
  local titles = vim.tbl_map(function(a)
    return ("%q (%s)"):format(a.title, tostring(a.kind))
  end, actions)
  if #actions == 0 then
    fail("textDocument/codeAction (only quickfix) at the diagnostic returned no action")
  end
  say("       quick fixes offered: " .. table.concat(titles, ", "))
  -- The fix for this diagnostic: the action that names it, else the preferred one, else one that
  -- writes Oekraïne. (The server may offer fixes for other findings on the same line too.)
  local function fixes_it(a)
    for _, d in ipairs(a.diagnostics or {}) do
      if d.code == "garbled-character" then
        return true
      end
    end
    return false
  end
  local chosen
  for _, pick in ipairs({ fixes_it, function(a)
    return a.isPreferred
  end, function(a)
    return a.title:find("Oekraïne", 1, true) ~= nil
  end }) do
    for _, a in ipairs(actions) do
      if not chosen and pick(a) then
        chosen = a
      end
    end
  end
  if not chosen then
    fail("none of the offered actions is marked as fixing the garbled-character diagnostic")
  end
  say(("       applying %q through vim.lsp.buf.code_action({ apply = true })"):format(chosen.title))
  local tick = vim.b[bufnr].changedtick
  local nprompts = #prompts
  vim.lsp.buf.code_action({
    context = { only = { "quickfix" }, diagnostics = { lsp_diag } },
    filter = function(a)
      return a.title == chosen.title
    end,
    apply = true,
  })
  vim.wait(TIMEOUT, function()
    return vim.b[bufnr].changedtick ~= tick
      and (vim.api.nvim_buf_get_lines(bufnr, 7, 8, false)[1] or ""):find("Oekraïne", 1, true) ~= nil
  end, 50)
  if #prompts > nprompts then
    fail("vim.lsp.buf.code_action asked the user to choose: " .. prompts[#prompts])
  end
  local line8 = vim.api.nvim_buf_get_lines(bufnr, 7, 8, false)[1] or ""
  if not line8:find("Oekraïne", 1, true) then
    fail("after applying the quick fix, line 8 is: " .. line8)
  end
end)

check(":ScholionReflow reflows the page under the cursor", function()
  local left = "De MIVD heeft een belangrijke rol"
  local right = "multinationale samenwerking beter te benutten"
  local col = find_in_line(bufnr, 2, "MIVD")
  vim.api.nvim_win_set_cursor(0, { 2, col })
  local before = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
  local nnotes = #notifications
  vim.cmd("ScholionReflow")
  vim.wait(TIMEOUT, function()
    return #notifications > nnotes or table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n") ~= before
  end, 50)
  local after = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), "\n")
  if after == before then
    local msgs = vim.tbl_map(function(n)
      return n.msg
    end, vim.list_slice(notifications, nnotes + 1))
    fail(":ScholionReflow left the buffer unchanged; messages: " .. (#msgs > 0 and table.concat(msgs, " | ") or "none"))
  end
  for _, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if l:find(left, 1, true) and l:find(right, 1, true) then
      fail("after reflow the two columns are still on one line: " .. l)
    end
  end
  if not after:find(left, 1, true) or not after:find(right, 1, true) then
    fail("after reflow the page lost text: " .. after:sub(1, 400))
  end
end)

check(":ScholionAcronyms lists MIVD for seed 000", function()
  local target = WS .. "/seeds/" .. DEF_SEED
  local nnotes = #notifications
  vim.cmd("ScholionAcronyms " .. vim.fn.fnameescape(target))
  local list_buf
  vim.wait(TIMEOUT, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_get_name(b):find("scholion://acronyms/", 1, true) then
        list_buf = b
        return true
      end
    end
    return #notifications > nnotes
  end, 50)
  if not list_buf then
    local msgs = vim.tbl_map(function(n)
      return n.msg
    end, vim.list_slice(notifications, nnotes + 1))
    fail("no acronym list was shown; messages: " .. (#msgs > 0 and table.concat(msgs, " | ") or "none"))
  end
  local lines = vim.api.nvim_buf_get_lines(list_buf, 0, -1, false)
  local text = table.concat(lines, "\n")
  say("       " .. lines[1] .. "; e.g. " .. (vim.tbl_filter(function(l)
    return l:find("^MIVD") ~= nil
  end, lines)[1] or "(no MIVD line)"))
  vim.api.nvim_buf_delete(list_buf, { force = true })
  vim.cmd.buffer(bufnr)
  if not text:find("MIVD", 1, true) or not text:find(EXPANSION, 1, true) then
    fail("acronym list does not show MIVD = " .. EXPANSION .. ":\n" .. text)
  end
end)

finish()

;;; coro-ls.el --- Misplaced coroutine syntax in Python, for eglot and lsp-mode  -*- lexical-binding: t; -*-

;; Author: coro-ls developers
;; Version: 0.1.0
;; Package-Requires: ((emacs "27.1"))
;; Keywords: languages, tools, python
;; URL: https://github.com/coro-ls/coro-ls
;; SPDX-License-Identifier: MIT

;;; Commentary:

;; Registers the coro-ls language server (the `coro-ls' command, installed with
;; `pipx install coro-ls') with whichever LSP client is loaded:
;;
;; - eglot: an entry in `eglot-server-programs' for Python buffers.  Eglot runs one
;;   server per buffer, so this entry makes coro-ls *the* eglot server for Python; set
;;   `coro-ls-eglot-register' to nil before loading this file to keep another one.
;; - lsp-mode: an add-on client, which runs beside the main Python server (pyright,
;;   pylsp, ...) in the same buffer.
;;
;; Install it as a package, `M-x package-install-file RET .../editors/emacs/coro-ls.el':
;; its autoloads register coro-ls as soon as eglot or lsp-mode loads.  Then:
;;
;;   (add-hook 'python-mode-hook #'eglot-ensure)   ; or #'lsp
;;
;; Without package.el, `(load "/path/to/coro-ls/editors/emacs/coro-ls.el")' does the same.
;;
;; Settings go to the server as the `coroLs' section: with eglot through
;; `eglot-workspace-configuration', with lsp-mode through `lsp-register-custom-settings'.

;;; Code:

;; Copied into the package's autoloads (not run when this file loads): loading eglot or
;; lsp-mode loads this file, which registers coro-ls with it.
;;;###autoload (with-eval-after-load 'eglot (require 'coro-ls))
;;;###autoload (with-eval-after-load 'lsp-mode (require 'coro-ls))

(defgroup coro-ls nil
  "The coro-ls language server."
  :group 'tools
  :prefix "coro-ls-")

(defcustom coro-ls-command '("coro-ls")
  "Command line that starts coro-ls over stdio.
For a server installed in a virtual environment, use its full path,
or e.g. (\"/path/to/venv/bin/python\" \"-m\" \"coro_ls\")."
  :type '(repeat string))

(defcustom coro-ls-eglot-register t
  "Whether loading coro-ls.el adds coro-ls to `eglot-server-programs'.
Eglot allows one server per buffer: when non-nil, coro-ls replaces the
Python server eglot would otherwise start."
  :type 'boolean)

(defconst coro-ls-major-modes '(python-mode python-ts-mode)
  "Major modes coro-ls serves.")

(defun coro-ls-eglot-contact (&optional _interactive)
  "The server command for eglot, read when a server starts.
Reading `coro-ls-command' here lets it be changed after this file is loaded."
  coro-ls-command)

(defvar eglot-server-programs)

(with-eval-after-load 'eglot
  (when coro-ls-eglot-register
    (add-to-list 'eglot-server-programs
                 (cons coro-ls-major-modes #'coro-ls-eglot-contact))))

(declare-function lsp-register-client "lsp-mode")
(declare-function make-lsp-client "lsp-mode")
(declare-function lsp-stdio-connection "lsp-mode")
(declare-function lsp-activate-on "lsp-mode")

(with-eval-after-load 'lsp-mode
  (lsp-register-client
   (make-lsp-client
    :new-connection (lsp-stdio-connection (lambda () coro-ls-command))
    :activation-fn (lsp-activate-on "python")
    ;; An add-on client starts in addition to the buffer's main server instead of
    ;; competing with it for the buffer.
    :add-on? t
    :priority -1
    :server-id 'coro-ls)))

(provide 'coro-ls)
;;; coro-ls.el ends here

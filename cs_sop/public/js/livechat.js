/*
 * cs_sop website live chat: the embed script.
 *
 *   <script src="https://<helpdesk-site>/assets/cs_sop/js/livechat.js" async
 *           data-lang="id" data-position="right" data-color="#1d4ed8"></script>
 *
 * Adds a chat bubble to the page; the chat itself is the Helpdesk site's page /sop-chat, shown in
 * an iframe (its own origin, so the visitor's token stays with the Helpdesk site). The site lets
 * only the websites listed in SOP Settings > Allowed Origins frame it.
 */
(function () {
	"use strict";
	var script = document.currentScript;
	if (!script || window.__csSopLiveChat) return;
	window.__csSopLiveChat = true;

	var base = new URL(script.src, location.href).origin;
	var data = script.dataset || {};
	var lang = data.lang || ((navigator.language || "id").toLowerCase().indexOf("en") === 0 ? "en" : "id");
	if (lang !== "en") lang = "id";
	var color = /^#[0-9a-fA-F]{3,8}$/.test(data.color || "") ? data.color : "#1d4ed8";
	var side = data.position === "left" ? "left" : "right";
	// the bubble's own label only: every text of the chat comes translated from the site
	var label = data.label || (lang === "en" ? "Chat with us" : "Chat dengan kami");
	var KEY = "cs_sop_livechat_open:" + base;

	var style = document.createElement("style");
	style.textContent =
		".cs-sop-chat-bubble{position:fixed;bottom:20px;" + side + ":20px;z-index:2147483000;width:60px;height:60px;" +
		"border-radius:50%;border:0;background:" + color + ";color:#fff;box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer;" +
		"display:flex;align-items:center;justify-content:center;padding:0}" +
		".cs-sop-chat-bubble:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}" +
		".cs-sop-chat-bubble svg{width:28px;height:28px;fill:currentColor}" +
		".cs-sop-chat-badge{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;border-radius:10px;background:#dc2626;" +
		"color:#fff;font:600 12px/20px system-ui,sans-serif;text-align:center;padding:0 5px}" +
		".cs-sop-chat-panel{position:fixed;bottom:92px;" + side + ":20px;z-index:2147483000;width:370px;height:560px;" +
		"max-height:calc(100vh - 112px);border-radius:12px;overflow:hidden;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff}" +
		".cs-sop-chat-panel iframe{border:0;width:100%;height:100%;display:block}" +
		"@media (max-width:480px){.cs-sop-chat-panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0;bottom:0}" +
		".cs-sop-chat-open .cs-sop-chat-bubble{display:none}}";
	document.head.appendChild(style);

	var bubble = document.createElement("button");
	bubble.type = "button";
	bubble.className = "cs-sop-chat-bubble";
	bubble.setAttribute("aria-label", label);
	bubble.title = label;
	bubble.setAttribute("aria-expanded", "false");
	bubble.innerHTML =
		'<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z"/></svg>';
	var badge = document.createElement("span");
	badge.className = "cs-sop-chat-badge";
	badge.hidden = true;
	bubble.appendChild(badge);

	var panel = null;

	function open() {
		if (!panel) {
			panel = document.createElement("div");
			panel.className = "cs-sop-chat-panel";
			panel.setAttribute("role", "dialog");
			panel.setAttribute("aria-label", label);
			var frame = document.createElement("iframe");
			frame.title = label;
			frame.allow = "clipboard-write";
			frame.src = base + "/sop-chat?embed=1&lang=" + encodeURIComponent(lang);
			panel.appendChild(frame);
			document.body.appendChild(panel);
		}
		panel.hidden = false;
		document.documentElement.classList.add("cs-sop-chat-open");
		bubble.setAttribute("aria-expanded", "true");
		badge.hidden = true;
		try { sessionStorage.setItem(KEY, "1"); } catch (e) { /* storage blocked */ }
	}

	function close() {
		if (panel) panel.hidden = true;
		document.documentElement.classList.remove("cs-sop-chat-open");
		bubble.setAttribute("aria-expanded", "false");
		try { sessionStorage.removeItem(KEY); } catch (e) { /* storage blocked */ }
		bubble.focus();
	}

	bubble.addEventListener("click", function () {
		if (panel && !panel.hidden) close(); else open();
	});

	window.addEventListener("message", function (ev) {
		if (ev.origin !== base || !ev.data || typeof ev.data !== "object") return;
		if (ev.data.type === "sop-chat:close") close();
		if (ev.data.type === "sop-chat:unread" && (!panel || panel.hidden)) {
			badge.textContent = String(ev.data.count || "");
			badge.hidden = !ev.data.count;
		}
	});

	function mount() {
		document.body.appendChild(bubble);
		var wasOpen = false;
		try { wasOpen = sessionStorage.getItem(KEY) === "1"; } catch (e) { /* storage blocked */ }
		if (wasOpen || data.open === "1") open();
	}
	if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();

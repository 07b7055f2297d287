/* Every failed htmx request is visible (issue 17): an error status (422/409 are the form's own
   answers and are swapped), a timeout or a network error shows a Chinese banner saying what
   happened and whether anything was saved. Nothing is swapped on a failure, so the form keeps
   what was typed. A form posted again after a save answers with the first result and a notice.
   Loaded from static/ with defer: no inline code (CSP). */
(function () {
  "use strict";

  var KEPT = "您填写的内容仍保留在表单中。";

  function isWrite(detail) {
    var verb = (detail.requestConfig && detail.requestConfig.verb) || "get";
    return verb.toLowerCase() !== "get";
  }

  /* The message of the server's error page (error.html), if the answer is one. */
  function serverMessage(xhr) {
    var text = xhr && xhr.responseText;
    if (!text) { return null; }
    try {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var section = doc.querySelector(".error-page");
      var body = section && section.querySelector("p");
      if (!body) { return null; }
      var incident = section.querySelector("strong.mono");
      return body.textContent.trim() + (incident ? "（事件编号 " + incident.textContent.trim() + "）" : "");
    } catch (e) {
      return null;
    }
  }

  function banner(kind, text) {
    var box = document.getElementById("request-banner");
    if (!box) {
      box = document.createElement("div");
      box.id = "request-banner";
      box.setAttribute("role", "alert");
      var message = document.createElement("p");
      message.className = "request-banner-text";
      var close = document.createElement("button");
      close.type = "button";
      close.className = "link";
      close.textContent = "关闭";
      close.addEventListener("click", function () { box.hidden = true; });
      box.appendChild(message);
      box.appendChild(close);
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.className = "request-banner request-banner-" + kind;
    box.querySelector(".request-banner-text").textContent = text;
    box.hidden = false;
  }

  function hide() {
    var box = document.getElementById("request-banner");
    if (box) { box.hidden = true; }
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    var message = serverMessage(xhr) || ("服务器返回错误（" + status + "）。");
    if (isWrite(event.detail)) {
      var notSaved = message.indexOf("没有保存任何内容") >= 0 ? "" : "本次没有保存任何内容。";
      var retry = message.indexOf("稍后") >= 0 ? "" : "请稍后重试。";
      banner("error", "保存失败：" + message + notSaved + KEPT + retry);
    } else {
      banner("error", "内容未能加载：" + message + (message.indexOf("稍后") >= 0 ? "" : "请稍后重试。"));
    }
  });

  function lost(event, what) {
    if (isWrite(event.detail)) {
      banner("error", what + "，无法确认是否已保存。" + KEPT +
             "请稍后重试：再次提交同一表单不会重复保存，已保存的会显示原结果。");
    } else {
      banner("error", what + "，内容未能加载。请检查网络后稍后重试。");
    }
  }

  document.addEventListener("htmx:sendError", function (event) { lost(event, "网络中断，未能连接到服务器"); });
  document.addEventListener("htmx:timeout", function (event) { lost(event, "服务器长时间没有响应"); });

  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!event.detail.successful || !xhr) { return; }
    if (xhr.getResponseHeader("X-Portal-Replayed")) {
      banner("info", "此表单已保存过，没有重复保存；下面显示的是第一次保存的结果。");
    } else if (isWrite(event.detail)) {
      hide();
    }
  });
}());

// mlcat playground: the DOM helpers both pages' scripts build their elements with (the
// lineage view's lineage-graph.js and lineage.js, the search box's search.js). Loaded first.
// h('div', {class: 'x', onclick: f}, child, 'text', ...) -> element
function h(tag, attrs) {
  var el = document.createElement(tag);
  if (attrs) {
    Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) { return; }
      if (k.slice(0, 2) === 'on') { el.addEventListener(k.slice(2), v); }
      else if (k === 'text') { el.textContent = v; }
      else { el.setAttribute(k, v === true ? '' : String(v)); }
    });
  }
  for (var i = 2; i < arguments.length; i++) { append(el, arguments[i]); }
  return el;
}
function append(el, child) {
  if (child === null || child === undefined || child === false) { return; }
  if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
  el.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
}
function clear(el) { while (el.firstChild) { el.removeChild(el.firstChild); } return el; }

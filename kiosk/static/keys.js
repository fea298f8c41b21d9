// On-screen keyboards (letters of the visitor's language, a number pad) and accent-blind matching.

/** Lower case, accents and other combining marks dropped: "Régistro" and "registro" match. */
export function fold(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Whether every word of `query` appears somewhere in `texts`. */
export function matches(query, texts) {
  const words = fold(query).split(/\s+/).filter(Boolean);
  const haystack = fold(texts.join(" \n "));
  return words.every(word => haystack.includes(word));
}

function key(label, onPress, {name, className = "key"} = {}) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = className;
  button.textContent = label;
  if (name) button.setAttribute("aria-label", name);
  button.addEventListener("click", onPress);
  return button;
}

function type(input, text) {
  input.value = (input.value + text).slice(0, input.maxLength > 0 ? input.maxLength : undefined);
  input.dispatchEvent(new Event("input", {bubbles: true}));
}

function erase(input, all) {
  input.value = all ? "" : input.value.slice(0, -1);
  input.dispatchEvent(new Event("input", {bubbles: true}));
}

/**
 * Fill `container` with a keyboard for `input`: `rows` is the letters, rows separated by spaces;
 * `labels` names the extra keys ({space, delete, clear}); `space` adds a space bar.
 */
export function keyboard(container, input, rows, labels, {space = true} = {}) {
  const lines = rows.split(" ").map(row => {
    const line = document.createElement("div");
    line.className = "key-row";
    for (const letter of row) line.append(key(letter, () => type(input, letter)));
    return line;
  });
  const extras = document.createElement("div");
  extras.className = "key-row extras";
  if (space) extras.append(key(labels.space, () => type(input, " "), {className: "key wide"}));
  extras.append(
    key("⌫", () => erase(input, false), {name: labels.delete, className: "key action"}),
    key(labels.clear, () => erase(input, true), {className: "key action"}),
  );
  container.replaceChildren(...lines, extras);
}

/** A telephone number pad for `input`: digits, "+", and delete. */
export function keypad(container, input, labels) {
  const keys = [..."123456789"].map(d => key(d, () => type(input, d)));
  keys.push(key("+", () => type(input, "+")), key("0", () => type(input, "0")),
    key("⌫", () => erase(input, false), {name: labels.delete, className: "key action"}));
  container.replaceChildren(...keys);
}

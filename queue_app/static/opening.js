/* Whether a centre is open, and when a closed one next opens, as its kiosk and display say it.
   The server's state (services/screens.py `opening`) gives `open_now`, `closes_at` and
   `next_opening` (ISO, with the centre's offset); between two states the page's own clock switches
   at those moments (the page then asks the server for a fresh state, which stays the authority). */
"use strict";

const Opening = {
  /** Whether the centre is open at `now` (ms since the epoch) by the last state heard. */
  isOpen(state, now = Date.now()) {
    const passed = iso => Boolean(iso) && now >= Date.parse(iso);
    if (!state || state.open_now === undefined) return true; // nothing heard yet: say nothing
    if (state.open_now && !passed(state.closes_at)) return true;
    return passed(state.next_opening);
  },

  /** "Opens today at 09:00", "… tomorrow …", "Opens Monday at 09:00" (with the date beyond a week),
      or "Closed until further notice", in `lang` from its `texts`, in the centre's time zone. */
  words(state, texts, lang, timeZone, now = new Date()) {
    if (!state || !state.next_opening) return texts.closed_long;
    const opens = new Date(state.next_opening);
    const format = options => {
      try {
        return new Intl.DateTimeFormat(lang, {...options, timeZone});
      } catch (error) { // an unknown zone: the device's own
        return new Intl.DateTimeFormat(lang, options);
      }
    };
    const date = format({year: "numeric", month: "2-digit", day: "2-digit"});
    const time = format({hour: "2-digit", minute: "2-digit", hourCycle: "h23"}).format(opens);
    const fill = text => text.replace(/\{(\w+)\}/g, (_, name) => ({time, day})[name]);
    const day = format(opens - now < 6 * 86400000 ? {weekday: "long"} : {weekday: "long", day: "numeric", month: "long"})
      .format(opens);
    if (date.format(opens) === date.format(now)) return fill(texts.opens_today);
    if (date.format(opens) === date.format(new Date(now.getTime() + 86400000))) return fill(texts.opens_tomorrow);
    return fill(texts.opens_on);
  },
};

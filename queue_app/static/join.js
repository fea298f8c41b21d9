/* The join page: when the visitor picks another centre, each service is labelled again with what
   that centre serves now (GET /api/v1/centres/{c}/services), in every service list: served now, from a time today, or not
   today. Without JavaScript the page labels the services for the centre it was drawn with. */
"use strict";

(() => {
  const hint = document.getElementById("offers-for");
  const select = document.querySelector("select[name=service]");
  if (!hint || !select) return;
  const selects = [...document.querySelectorAll("select.service-choice")]; // the first and a visit's later steps
  const texts = JSON.parse(hint.dataset.texts);
  const names = new Map([...select.options].map(o => [o.value, o.textContent.split(" — ")[0]]));

  function words(offer) {
    if (offer.served_now) return texts.served_now;
    if (!offer.served_today) return texts.not_today;
    if (offer.next_served_at && Date.parse(offer.next_served_at) > Date.now()) {
      const time = offer.next_served_at.slice(11, 16); // on the centre's clock: the API sends its offset
      return texts.served_from.replace("{time}", time);
    }
    return texts.served_later;
  }

  async function relabel(radio) {
    let offers;
    try {
      const answer = await fetch(`/api/v1/centres/${encodeURIComponent(radio.value)}/services`, {headers: {Accept: "application/json"}});
      if (!answer.ok) return;
      offers = await answer.json();
    } catch (e) {
      return; // out of reach: the labels stay as drawn
    }
    for (const offer of offers) {
      for (const one of selects) {
        const option = [...one.options].find(o => o.value === offer.service);
        if (option) option.textContent = `${names.get(offer.service)} — ${words(offer)}`;
      }
    }
    const label = document.querySelector(`label[for="${radio.id}"] .choice-name`);
    hint.textContent = hint.dataset.for.replace("{centre}", label ? label.textContent : radio.value);
  }

  for (const radio of document.querySelectorAll("input[name=centre]")) radio.addEventListener("change", () => relabel(radio));
})();

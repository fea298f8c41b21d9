/* The announcement of a call: a chime, then the call spoken once in each network language.
   Calls are announced one after another, never cut off. Sound is a courtesy: whatever fails
   here (no audio device, no voice, a blocked AudioContext) leaves the screen working. */
"use strict";

// A Russian reads the prefix of "B012" as the Cyrillic letter it looks like.
const LOOKALIKES = {ru: {A: "А", B: "В", C: "С", E: "Е", H: "Н", K: "К", M: "М", O: "О", P: "Р", T: "Т", X: "Х", Y: "У"}};
const CHIME = [[659.25, 0], [523.25, 0.45]]; // E5 then C5, in seconds from the start: "ding-dong"

function pause(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}

function baseLanguage(tag) {
  return String(tag || "").toLowerCase().replace("_", "-").split("-")[0];
}

/** "A012" → "A 12": the letters, then the number as a number, so it is read naturally. */
function spokenNumber(number, lang) {
  const [, letters = "", digits = ""] = /^(\D*)(\d*)$/.exec(number) || [];
  if (!digits) return number;
  const names = LOOKALIKES[baseLanguage(lang)] || {};
  const spelled = [...letters].map(letter => names[letter] || letter).join(" ");
  return `${spelled} ${parseInt(digits, 10)}`.trim();
}

class Announcer {
  /** `phrases`: per language, a sentence with {number} and {counter}; `onMuted(bool)`: sound needs a tap. */
  constructor(languages, phrases, onMuted) {
    this.languages = languages;
    this.phrases = phrases;
    this.onMuted = onMuted;
    this.queue = Promise.resolve();
    this.speaking = new Set(); // Chromium may drop an utterance nothing references before it ends
    try {
      this.audio = new (window.AudioContext || window.webkitAudioContext)();
      this.audio.addEventListener("statechange", () => this.reportMuted());
    } catch (error) {
      this.audio = null;
    }
    this.reportMuted();
  }

  reportMuted() {
    this.onMuted(Boolean(this.audio) && this.audio.state === "suspended");
  }

  /** Let sound play (the browser allows it after a tap). */
  unmute() {
    if (this.audio) this.audio.resume().catch(() => {}).then(() => this.reportMuted());
  }

  /** Queue the announcement of a call {number, counter}; resolves once it has been made. */
  announce(call) {
    this.queue = this.queue.then(() => this.play(call)).catch(error => console.warn("announcement failed", error));
    return this.queue;
  }

  async play(call) {
    await this.chime();
    for (const lang of this.languages) {
      const sentence = this.phrases[lang]
        .replace("{number}", spokenNumber(call.number, lang))
        .replace("{counter}", call.counter);
      await this.say(sentence, lang);
    }
  }

  chime() {
    const audio = this.audio;
    if (!audio || audio.state !== "running") return Promise.resolve();
    const start = audio.currentTime + 0.05;
    for (const [frequency, at] of CHIME) {
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.frequency.value = frequency;
      volume.gain.setValueAtTime(0.0001, start + at);
      volume.gain.exponentialRampToValueAtTime(0.5, start + at + 0.02);
      volume.gain.exponentialRampToValueAtTime(0.0001, start + at + 1);
      tone.connect(volume).connect(audio.destination);
      tone.start(start + at);
      tone.stop(start + at + 1.05);
    }
    return pause(1600);
  }

  say(text, lang) {
    const synth = window.speechSynthesis;
    if (!synth || typeof SpeechSynthesisUtterance !== "function") return Promise.resolve();
    const voices = synth.getVoices();
    const voice = voices.find(v => baseLanguage(v.lang) === baseLanguage(lang));
    if (voices.length && !voice) return Promise.resolve(); // better silence than a foreign voice's garble
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang;
    utterance.rate = 0.9;
    if (voice) utterance.voice = voice;
    return new Promise(resolve => {
      const done = () => {
        clearTimeout(timer);
        this.speaking.delete(utterance);
        resolve();
      };
      const timer = setTimeout(done, 3000 + text.length * 150); // some engines never report the end
      utterance.addEventListener("end", done);
      utterance.addEventListener("error", done);
      this.speaking.add(utterance);
      synth.speak(utterance);
    });
  }
}

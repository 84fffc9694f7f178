/* Tremplin maps: draws the points of <div class="map" hidden …> with Leaflet
 * (templates/map.html writes the element). A progressive enhancement: without
 * JavaScript, or when Leaflet does not load, the element stays hidden and the
 * list or table of the page is the equivalent.
 *
 * Attributes read:
 *   data-points-url  same-origin JSON: [point…] or {"points": [point…], "lines": [line…]}
 *   data-points      the same JSON, inline (data-lines may hold the lines)
 *   data-tiles       tile URL template ({z}/{x}/{y}); without it, a plain background
 *   data-attribution credit of the tile server, shown as plain text
 * point: {"lat": 50.29, "lon": 2.78, "label": "…", "kind": "offer"|"candidate"|"site", "href": "/…"}
 * line:  {"from": [lat, lon], "to": [lat, lon]} — e.g. a candidate to a site in an assignment plan
 */
(function (L) {
  'use strict';
  // L is the Leaflet this script ran after: a page with several maps loads
  // Leaflet more than once, and objects of two copies do not mix.

  // Each kind differs by more than its colour (fill, ring, size) and the legend names it.
  var KINDS = {
    offer: { label: 'Offre', color: '#0b5394', fillColor: '#0b5394', fillOpacity: 0.9, radius: 8, weight: 2 },
    candidate: { label: 'Personne candidate', color: '#9a3412', fillColor: '#ffffff', fillOpacity: 1, radius: 7, weight: 4 },
    site: { label: 'Site', color: '#14532d', fillColor: '#86efac', fillOpacity: 1, radius: 10, weight: 3, dashArray: '4 3' }
  };
  var OTHER = { label: 'Autre lieu', color: '#374151', fillColor: '#9ca3af', fillOpacity: 1, radius: 6, weight: 2 };
  var LINE = { color: '#4b5563', weight: 2, opacity: 0.8, dashArray: '6 4', interactive: false };

  function kindOf(p) {
    return Object.prototype.hasOwnProperty.call(KINDS, p.kind) ? KINDS[p.kind] : OTHER;
  }

  function escapeHTML(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // safeHref keeps http(s) links only: no javascript: from the data.
  function safeHref(href) {
    if (typeof href !== 'string' || href === '') return '';
    var a = document.createElement('a');
    a.href = href;
    return a.protocol === 'http:' || a.protocol === 'https:' ? a.href : '';
  }

  function validLatLng(v) {
    return Array.isArray(v) && v.length === 2 && isFinite(v[0]) && isFinite(v[1]) &&
      Math.abs(v[0]) <= 90 && Math.abs(v[1]) <= 180;
  }

  // normalise accepts [point…] or {points, lines} and drops what cannot be drawn.
  function normalise(data, extraLines) {
    var points = Array.isArray(data) ? data : (data && data.points) || [];
    var lines = (data && !Array.isArray(data) && data.lines) || extraLines || [];
    return {
      points: points.filter(function (p) { return p && validLatLng([Number(p.lat), Number(p.lon)]); }),
      lines: lines.filter(function (l) { return l && validLatLng(l.from) && validLatLng(l.to); })
    };
  }

  function popupContent(p, kind) {
    var box = el('div', 'map-popup');
    box.appendChild(el('p', 'map-popup-kind', kind.label));
    var href = safeHref(p.href);
    var title = el(href ? 'a' : 'strong', 'map-popup-title', p.label || kind.label);
    if (href) title.href = href;
    box.appendChild(title);
    return box;
  }

  // accessible makes a circle marker a button reachable with Tab that opens its popup.
  function accessible(marker, p, kind) {
    var path = marker.getElement();
    if (!path) return;
    path.setAttribute('tabindex', '0');
    path.setAttribute('role', 'button');
    path.setAttribute('aria-label', kind.label + ' : ' + (p.label || ''));
    path.addEventListener('keydown', function (e) {
      if (e.key !== 'Enter' && e.key !== ' ') return;
      e.preventDefault();
      e.stopPropagation();
      marker._openedByKey = true;
      marker.openPopup();
    });
    marker.on('popupopen', function (e) {
      var box = e.popup.getElement();
      var close = box.querySelector('.leaflet-popup-close-button');
      if (close) close.setAttribute('aria-label', 'Fermer');
      box.onkeydown = function (ev) {
        if (ev.key === 'Escape') marker.closePopup();
      };
      if (marker._openedByKey) {
        var first = box.querySelector('.map-popup a[href]') || close;
        if (first) first.focus();
      }
    });
    marker.on('popupclose', function () {
      if (marker._openedByKey) path.focus();
      marker._openedByKey = false;
    });
  }

  function addNote(map, text, position) {
    var Note = L.Control.extend({
      onAdd: function () { return el('div', 'map-note', text); }
    });
    new Note({ position: position || 'topright' }).addTo(map);
  }

  function addLegend(map, points, hasLines) {
    var seen = {};
    var entries = [];
    points.forEach(function (p) {
      var k = kindOf(p);
      if (!seen[k.label]) { seen[k.label] = true; entries.push(k); }
    });
    if (entries.length === 0) return;
    var Legend = L.Control.extend({
      onAdd: function () {
        var list = el('ul', 'map-legend');
        list.setAttribute('aria-label', 'Légende');
        entries.forEach(function (k) {
          var item = el('li');
          item.appendChild(swatch(k));
          item.appendChild(document.createTextNode(k.label));
          list.appendChild(item);
        });
        if (hasLines) {
          var item = el('li');
          item.appendChild(swatch(null));
          item.appendChild(document.createTextNode('Affectation'));
          list.appendChild(item);
        }
        return list;
      }
    });
    new Legend({ position: 'bottomright' }).addTo(map);
  }

  // swatch draws the legend sign of a kind (a line when k is null) in SVG.
  function swatch(k) {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '24');
    svg.setAttribute('height', '24');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    var shape;
    if (k) {
      shape = document.createElementNS(ns, 'circle');
      shape.setAttribute('cx', '12');
      shape.setAttribute('cy', '12');
      shape.setAttribute('r', String(Math.min(k.radius, 9)));
      shape.setAttribute('fill', k.fillColor);
      shape.setAttribute('fill-opacity', String(k.fillOpacity));
      shape.setAttribute('stroke', k.color);
      shape.setAttribute('stroke-width', String(k.weight));
      if (k.dashArray) shape.setAttribute('stroke-dasharray', k.dashArray);
    } else {
      shape = document.createElementNS(ns, 'line');
      shape.setAttribute('x1', '2');
      shape.setAttribute('y1', '12');
      shape.setAttribute('x2', '22');
      shape.setAttribute('y2', '12');
      shape.setAttribute('stroke', LINE.color);
      shape.setAttribute('stroke-width', String(LINE.weight));
      shape.setAttribute('stroke-dasharray', LINE.dashArray);
    }
    svg.appendChild(shape);
    return svg;
  }

  // draw sets the view first: Leaflet adds layers to a map only once it has one.
  function draw(div, map, data) {
    var bounds = L.latLngBounds([]);
    data.lines.forEach(function (l) { bounds.extend(l.from).extend(l.to); });
    data.points.forEach(function (p) { bounds.extend([Number(p.lat), Number(p.lon)]); });
    if (!bounds.isValid()) {
      map.setView([46.6, 2.4], 5);
      addNote(map, 'Aucun lieu à afficher.');
    } else if (bounds.getNorthEast().equals(bounds.getSouthWest())) {
      map.setView(bounds.getCenter(), 13);
    } else {
      map.fitBounds(bounds, { padding: [48, 48], maxZoom: 15 });
    }
    data.lines.forEach(function (l) { L.polyline([l.from, l.to], LINE).addTo(map); });
    data.points.forEach(function (p) {
      var kind = kindOf(p);
      var style = { radius: kind.radius, color: kind.color, weight: kind.weight, fillColor: kind.fillColor,
        fillOpacity: kind.fillOpacity, dashArray: kind.dashArray || null, className: 'map-point map-point-' + (p.kind || 'other') };
      var marker = L.circleMarker([Number(p.lat), Number(p.lon)], style).bindPopup(popupContent(p, kind)).addTo(map);
      accessible(marker, p, kind);
    });
    addLegend(map, data.points, data.lines.length > 0);
    div.setAttribute('data-map-points', String(data.points.length));
  }

  function fail(div) {
    var msg = el('p', 'map-error', "La carte n'a pas pu être chargée ; la liste présente les mêmes informations.");
    msg.setAttribute('role', 'status');
    div.parentNode.insertBefore(msg, div);
    div.hidden = true;
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return undefined; }
  }

  function init(div) {
    if (div.getAttribute('data-map-ready')) return;
    div.setAttribute('data-map-ready', 'true');
    div.hidden = false;
    var map = L.map(div, { zoomControl: false, scrollWheelZoom: false });
    L.control.zoom({ zoomInTitle: 'Zoom avant', zoomOutTitle: 'Zoom arrière' }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    var tiles = div.getAttribute('data-tiles');
    if (tiles) {
      L.tileLayer(tiles, {
        attribution: escapeHTML(div.getAttribute('data-attribution') || ''),
        maxZoom: 19,
        // The tile server learns the site's origin, never the page (which may name a person).
        referrerPolicy: 'strict-origin'
      }).addTo(map);
    } else {
      div.classList.add('map-plain');
      addNote(map, 'Fond de carte non configuré', 'bottomleft');
    }
    var url = div.getAttribute('data-points-url');
    if (url) {
      fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
        .then(function (data) { draw(div, map, normalise(data)); })
        .catch(function () { fail(div); });
      return;
    }
    var data = parse(div.getAttribute('data-points') || '[]');
    var lines = parse(div.getAttribute('data-lines') || '[]');
    if (data === undefined || lines === undefined) {
      fail(div);
      return;
    }
    draw(div, map, normalise(data, lines));
  }

  function start() {
    if (!L) return; // Leaflet did not load: the page's list stands alone
    Array.prototype.forEach.call(document.querySelectorAll('div.map'), init);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})(window.L);

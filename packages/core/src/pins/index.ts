/**
 * `@comrad/core/pins` — danger pins (PIN-*): geohash cells, the closed list of kinds, notes, the cells a
 * reader asks for, distances and bearings, and the per-pin vote nullifier.
 *
 * @example
 * ```ts
 * import { pinCell, coverCells, distanceKm, bearingDegrees, compassPoint, geohashCentre } from '@comrad/core/pins';
 * const cell = pinCell(52.5200, 13.4050);                   // 'u33dc0c': ~150 m, the exact point stays here
 * const { cells } = coverCells({ lat: 52.52, lon: 13.40 }, 2); // ask for these, not for where you are
 * const at = geohashCentre(cell);
 * console.log(distanceKm({ lat: 52.52, lon: 13.40 }, at), compassPoint(bearingDegrees({ lat: 52.52, lon: 13.40 }, at)));
 * ```
 * @module @comrad/core/pins
 */
export * from './geohash.js';
export * from './geo.js';
export * from './pin.js';

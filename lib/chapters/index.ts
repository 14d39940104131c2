/**
 * The chapters, by id. Each chapter module is also exported under its own
 * name (`lab.mobilenet.gridSection(...)`), which is how notebooks call it.
 */
import {Chapter} from './chapter';
import * as mobilenet from './mobilenet';
import * as tour from './tour';

export * from './chapter';
export * from './compare';
export * from './time';
export {mobilenet, tour};

export const CHAPTERS: readonly Chapter[] = [tour.CHAPTER, mobilenet.CHAPTER];

/** A chapter by id ('03'), number ('3'), alias ('mobilenet') or notebook name. */
export function findChapter(name: string): Chapter {
  const wanted = name.trim().toLowerCase().replace(/\.ipynb$/, '');
  const chapter = CHAPTERS.find(c => c.id === wanted || c.id === wanted.padStart(2, '0') || c.aliases.includes(wanted) ||
                                     c.notebook.replace(/\.ipynb$/, '') === wanted);
  if (chapter == null) {
    const names = CHAPTERS.map(c => `${c.id} (${c.aliases[0]})`).join(', ');
    throw new Error(`unknown chapter '${name}'; chapters with a plan: ${names}`);
  }
  return chapter;
}

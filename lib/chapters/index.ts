/**
 * The chapters, by id. Each chapter module is also exported under its own
 * name (`lab.mobilenet.gridSection(...)`), which is how notebooks call it.
 */
import {Chapter, ChapterModule} from './common/chapter';
import * as condensenet from './condensenet';
import * as inception from './inception';
import * as mobilenet from './mobilenet';
import * as tour from './tour';
import * as xception from './xception';

export * from './common/chapter';
export * from './common/arms';
export * from './common/compare';
export * from './common/cost-tables';
export * from './common/reference-accuracy';
export * from './common/time';
export * from './common/runs';
export {condensenet, inception, mobilenet, tour, xception};

/** The chapters that train and judge, each checked by the compiler to export what ChapterModule names. */
export const BOOK_CHAPTERS: readonly ChapterModule[] = [inception, xception, mobilenet, condensenet];

export const CHAPTERS: readonly Chapter[] = [tour.CHAPTER, ...BOOK_CHAPTERS.map(c => c.CHAPTER)];

/** The book, in order: every chapter with its notebook, and the ones not written yet. */
export interface BookEntry {
  id: string;
  title: string;
  notebook: string;
  written: boolean;
}

export const BOOK: readonly BookEntry[] = [
  {id: '00', title: 'Lab tour', notebook: '00-lab-tour.ipynb', written: true},
  {id: '01', title: inception.CHAPTER.title, notebook: inception.CHAPTER.notebook, written: true},
  {id: '02', title: xception.CHAPTER.title, notebook: xception.CHAPTER.notebook, written: true},
  {id: '03', title: mobilenet.CHAPTER.title, notebook: mobilenet.CHAPTER.notebook, written: true},
  {id: '04', title: condensenet.CHAPTER.title, notebook: condensenet.CHAPTER.notebook, written: true},
];

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

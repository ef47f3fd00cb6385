/** The card failed validation before anything started: the same type name the workflow uses. */
export class InvalidRaceCard extends Error {
  override name = 'InvalidRaceCard';
}
/** A race run ended in failure; `type` is the failure's readable type (e.g. InvalidRaceCard). */
export class RaceRunFailed extends Error {
  override name = 'RaceRunFailed';
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}
/** A race day, late change or result that failed validation; `type` is the readable error type. */
export class InvalidInput extends Error {
  override name = 'InvalidInput';
  constructor(
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

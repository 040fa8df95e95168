export {
  percentile,
  percentiles,
  mean,
  spread,
  optionalSpread,
  type Percentiles,
  type Spread,
} from './statistics';
export {
  medianInterval,
  intervalWithin,
  intervalsOverlap,
  orderStatisticCoverage,
  binomialHalfCdf,
  type MedianInterval,
} from './median-interval';
export {
  erlangC,
  mmcMeanWait,
  mmcResponseTimeTail,
  mmcResponseTimeQuantile,
  fewestServersFor,
} from './erlang-c';

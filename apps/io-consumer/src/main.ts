import './instrument';
import { runConsumer } from '@switchyard/consumer';

void runConsumer({ service: 'io-consumer', defaultLane: 'io', defaultHealthPort: 3001, model: 'event-loop' });

import {render} from 'preact';
import {App} from './ui/App';
import {start} from './state/actions';
import './styles.css';

render(<App/>, document.getElementById('app')!);
void start();

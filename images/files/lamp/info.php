<?php
// PHP info page for the LAMP demo image: proves mod_php is loaded.
phpinfo();
